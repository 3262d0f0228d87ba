"""GET /v1/customers/{customerId}/subscription — the customer's current subscription."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CustomerIdPath

from billfold.subscriptions.models import SubscriptionView
from billfold.subscriptions.reads import get_subscription

api = Api("get_subscription")


@api.route
def get(customerId: CustomerIdPath) -> SubscriptionView:
    """The subscription, with what it bills next."""
    return get_subscription(deps.table(), customerId)


handler = api.handler
