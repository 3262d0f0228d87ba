"""POST /v1/checkout-sessions/{sessionId}/complete — start the subscription."""

from datetime import timedelta

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CheckoutSessionIdPath

from billfold.auth.portal_sessions import PortalSessionCreate, create_portal_session
from billfold.checkout.completion import CheckoutPayments, complete_checkout, opens_portal
from billfold.checkout.models import CheckoutComplete, CompletedCheckout

api = Api("complete_checkout")


@api.route
def complete(sessionId: CheckoutSessionIdPath, body: CheckoutComplete) -> CompletedCheckout:
    """The completed session, its subscription (billed and charged right away by the billing
    worker) and a portal URL for the customer (for a few minutes after completing: a lost
    answer's retry). Completing again answers the same."""
    table, settings = deps.table(), deps.settings()
    payments = CheckoutPayments(deps.stripe_payment_methods(), deps.stripe_charges())
    completed = complete_checkout(table, payments, sessionId, body, deps.clock())
    deps.settle_soon(completed.session.customer_id)
    now = deps.clock().now()
    if not opens_portal(completed.session, now):
        return completed
    portal = create_portal_session(
        table,
        deps.portal_signing_secret(),
        PortalSessionCreate(customer_id=completed.session.customer_id),
        now=now,
        lifetime=timedelta(minutes=settings.portal_session_minutes),
        page=settings.portal_url,
    )
    return completed.model_copy(update={"portal_url": portal.url})


handler = api.handler
