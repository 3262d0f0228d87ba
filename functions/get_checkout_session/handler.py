"""GET /v1/checkout-sessions/{sessionId} — what the checkout page shows."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CheckoutSessionIdPath, PromotionCodeQuery

from billfold.checkout.models import CheckoutView
from billfold.checkout.sessions import view_checkout

api = Api("get_checkout_session")


@api.route
def get(
    sessionId: CheckoutSessionIdPath, promotion_code: PromotionCodeQuery = None
) -> CheckoutView:
    """The session, its plan and today's amount; with `promotionCode`, priced with that code
    (4xx naming `promotionCode` if it cannot be used). 410 once the session expired."""
    return view_checkout(deps.table(), sessionId, promotion_code, deps.clock().now())


handler = api.handler
