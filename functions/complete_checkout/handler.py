"""POST /v1/checkout-sessions/{sessionId}/complete — start the subscription."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CheckoutSessionIdPath

from billfold.checkout.completion import CheckoutPayments, complete_checkout
from billfold.checkout.models import CheckoutComplete, CompletedCheckout

api = Api("complete_checkout")


@api.route
def complete(sessionId: CheckoutSessionIdPath, body: CheckoutComplete) -> CompletedCheckout:
    """The completed session, its subscription (billed and charged right away by the billing
    worker) and a portal URL for the customer (for a few minutes after completing: a lost
    answer's retry). Completing again answers the same."""
    payments = CheckoutPayments(deps.stripe_payment_methods(), deps.stripe_charges())
    completed = complete_checkout(
        deps.table(),
        payments,
        sessionId,
        body,
        deps.clock(),
        portal_link=lambda customer_id: deps.portal_session(customer_id).url,
    )
    deps.settle_soon(completed.session.customer_id)
    return completed


handler = api.handler
