"""POST /v1/customers/{customerId}/subscription/cancel — cancel at period end, or now."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CustomerIdPath

from billfold.subscriptions.cancellation import CancelRequest, cancel_subscription
from billfold.subscriptions.models import SubscriptionView

api = Api("cancel_subscription")


@api.route
def cancel(
    customerId: CustomerIdPath, body: Annotated[CancelRequest | None, Body()] = None
) -> SubscriptionView:
    """The subscription, cancelling at period end (the default) or canceled now."""
    request = body or CancelRequest()
    return cancel_subscription(deps.table(), customerId, request, deps.clock())


handler = api.handler
