"""GET /v1/customers/{customerId}/spend-limit — the spend limit and what counts toward it."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CustomerIdPath

from billfold.access.spend_limits import get_spend_limit
from billfold.spending.limits import SpendLimit

api = Api("get_spend_limit")


@api.route
def get(customerId: CustomerIdPath) -> SpendLimit:
    """The monthly limit (null: none), this month's overage and auto-recharge spend, and
    whether the customer may set it."""
    may_set = deps.settings().customer_spend_limits
    return get_spend_limit(deps.table(), customerId, deps.clock(), customers_may_set=may_set)


handler = api.handler
