"""POST /v1/customers/{customerId}/subscription/preview — what a change would bill (no write)."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CustomerIdPath

from billfold.subscriptions.models import ChangePreview, SubscriptionChange
from billfold.subscriptions.plan_change import preview_change

api = Api("preview_subscription_change")


@api.route
def preview(customerId: CustomerIdPath, body: SubscriptionChange) -> ChangePreview:
    """The lines charged or credited now, what is due now, and the next renewal."""
    return preview_change(deps.table(), customerId, body, deps.clock())


handler = api.handler
