"""POST /v1/checkout-sessions — open a checkout (server key only)."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api

from billfold.checkout.models import CheckoutSessionCreate, OpenedCheckout
from billfold.checkout.sessions import open_checkout

api = Api("create_checkout_session")


@api.route
def create(body: CheckoutSessionCreate) -> OpenedCheckout:
    """The session with its token (as narrow as a portal token: this session's routes only)
    and the checkout page's URL carrying it."""
    return open_checkout(
        deps.table(),
        deps.stripe_customers(),
        deps.portal_signing_secret(),
        body,
        deps.clock(),
        deps.settings().portal_url,
    )


handler = api.handler
