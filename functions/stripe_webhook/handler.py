"""POST /v1/webhooks/stripe — Stripe's events, proven by the Stripe-Signature header."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api

from billfold.webhooks.receiving import WebhookReceipt, accept_event, verified_event

api = Api("stripe_webhook")


@api.route
def receive() -> WebhookReceipt:
    """200 once the event is queued (or was already); 400 `invalid_signature`, nothing written."""
    request = api.resolver.current_event
    event = verified_event(
        request.body or "", request.headers.get("Stripe-Signature"), deps.webhook_secret()
    )
    return accept_event(deps.table(), event, deps.send_webhook_event, deps.clock().now())


handler = api.handler
