"""POST /v1/checkout-sessions/{sessionId}/setup-intent — start collecting the card."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CheckoutSessionIdPath

from billfold.checkout.sessions import checkout_setup_intent
from billfold.payments.payment_methods import SetupIntentSecret

api = Api("create_checkout_setup_intent")


@api.route
def setup_intent(sessionId: CheckoutSessionIdPath) -> SetupIntentSecret:
    """`{clientSecret, publishableKey}` for Stripe.js to confirm the card (3-D Secure too)."""
    return checkout_setup_intent(
        deps.table(),
        deps.stripe_payment_methods(),
        sessionId,
        deps.stripe_keys()["publishableKey"],
        deps.clock().now(),
    )


handler = api.handler
