"""DELETE /v1/customers/{customerId}/promotions/{featureId} — revoke a promotion."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CatalogIdPath, CustomerIdPath

from billfold.entitlements.models import Promotion
from billfold.subscriptions.promotions import revoke_promotion

api = Api("revoke_promotion")


@api.route
def revoke(customerId: CustomerIdPath, featureId: CatalogIdPath) -> Promotion:
    """The promotion revoked; 404 `promotion_not_found` when the customer held none."""
    return revoke_promotion(deps.table(), customerId, featureId, deps.clock())


handler = api.handler
