"""PATCH /v1/customers/{customerId}/subscription — change plan, billing period or add-ons."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CustomerIdPath

from billfold.subscriptions.models import ChangeResult, SubscriptionChange
from billfold.subscriptions.plan_change import change_subscription

api = Api("change_subscription")


@api.route
def change(customerId: CustomerIdPath, body: SubscriptionChange) -> ChangeResult:
    """The subscription after the change, and what the change billed (as its preview said):
    the billing worker invoices and charges it right away."""
    result = change_subscription(deps.table(), customerId, body, deps.clock())
    if result.change.lines:
        deps.settle_soon(customerId)
    return result


handler = api.handler
