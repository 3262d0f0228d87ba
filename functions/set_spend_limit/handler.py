"""PUT /v1/customers/{customerId}/spend-limit — cap what overage and auto-recharge may cost."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CustomerIdPath

from billfold.access.spend_limits import set_spend_limit
from billfold.spending.limits import SpendLimit, SpendLimitSettings

api = Api("set_spend_limit")


@api.route
def put(customerId: CustomerIdPath, body: SpendLimitSettings) -> SpendLimit:
    """The limit as set; a customer (portal token) may set it only where the seller lets
    customers do so (`-c customerSpendLimits=true`)."""
    return set_spend_limit(
        deps.table(),
        customerId,
        body,
        deps.clock(),
        caller=api.caller(),
        customers_may_set=deps.settings().customer_spend_limits,
    )


handler = api.handler
