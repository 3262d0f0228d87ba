"""PUT /v1/customers/{customerId}/spend-limit — cap what overage and auto-recharge may cost."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CustomerIdPath

from billfold.access.spend_limits import set_spend_limit
from billfold.errors import ErrorCode, Forbidden
from billfold.grants import Caller
from billfold.spending.limits import SpendLimit, SpendLimitSettings

api = Api("set_spend_limit")


@api.route
def put(customerId: CustomerIdPath, body: SpendLimitSettings) -> SpendLimit:
    """The limit as set; a customer (portal token) may set it only where the seller lets
    customers do so (`-c customerSpendLimits=true`)."""
    if api.caller() is Caller.CUSTOMER and not deps.settings().customer_spend_limits:
        raise Forbidden(
            "the seller sets spend limits for this account",
            field="monthlyLimit",
            code=ErrorCode.SELLER_ONLY_FIELD,
        )
    limit = set_spend_limit(deps.table(), customerId, body, deps.clock())
    return limit.model_copy(update={"customer_may_set": deps.settings().customer_spend_limits})


handler = api.handler
