"""POST /v1/customers/{customerId}/promotions — grant a customer a feature or more of one."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CustomerIdPath

from billfold.entitlements.models import Promotion
from billfold.subscriptions.promotions import PromotionGrant, grant_promotion

api = Api("grant_promotion")


@api.route
def grant(customerId: CustomerIdPath, body: PromotionGrant) -> Promotion:
    """The promotion (replacing any the customer held for that feature)."""
    return grant_promotion(deps.table(), customerId, body, deps.clock())


handler = api.handler
