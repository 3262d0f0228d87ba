"""POST /v1/customers/{customerId}/subscription — subscribe a customer to a plan."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CustomerIdPath

from billfold.subscriptions.creation import create_subscription
from billfold.subscriptions.models import SubscriptionCreate, SubscriptionView

api = Api("create_subscription")


@api.route
def create(customerId: CustomerIdPath, body: SubscriptionCreate) -> SubscriptionView:
    """The new subscription; a customer holds one live subscription at a time. What it bills
    is invoiced and charged by the billing worker, right away, and its plan's credit
    allowances granted."""
    created = create_subscription(deps.table(), customerId, body, deps.clock())
    deps.settle_soon(customerId)
    return created


handler = api.handler
