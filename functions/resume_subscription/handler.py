"""POST /v1/customers/{customerId}/subscription/resume — undo a scheduled cancel."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CustomerIdPath

from billfold.subscriptions.cancellation import resume_subscription
from billfold.subscriptions.models import SubscriptionView

api = Api("resume_subscription")


@api.route
def resume(customerId: CustomerIdPath) -> SubscriptionView:
    """The subscription, renewing again at period end."""
    return resume_subscription(deps.table(), customerId, deps.clock())


handler = api.handler
