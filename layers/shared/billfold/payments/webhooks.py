"""Stripe webhooks, first half: verify, record once, queue. (`webhook_events` processes them.)

The endpoint answers fast: it checks the `Stripe-Signature` header against the webhook secret
(with Stripe's five-minute tolerance, on the real clock Stripe signs with), skips an event id
already accepted, queues the event for the worker and then records its id (kept 30 days). An
event queued twice (a crash between queueing and recording) is harmless: processing compares
with the current state, so a repeat changes nothing.
"""

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import stripe

from billfold.errors import InvalidInput
from billfold.models import ApiModel
from billfold.storage import keys
from billfold.storage.schema import TTL_ATTRIBUTE
from billfold.storage.table import ITEM_IS_NEW, ConditionFailed, Table

TOLERANCE_SECONDS = 300
DEDUPE_FOR = timedelta(days=30)


class WebhookReceipt(ApiModel):
    """What the endpoint tells Stripe: the event was taken (or had been, `duplicate`)."""

    received: bool
    duplicate: bool


def verified_event(payload: str, signature: str | None, secret: str) -> dict[str, Any]:
    """The event, once its signature is proven; InvalidInput `invalid_signature` otherwise."""
    if not signature:
        raise InvalidInput(
            "the Stripe-Signature header is missing",
            field="Stripe-Signature",
            code="invalid_signature",
        )
    try:
        stripe.WebhookSignature.verify_header(payload, signature, secret, TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError:
        raise InvalidInput(
            "the Stripe-Signature header does not match this payload",
            field="Stripe-Signature",
            code="invalid_signature",
        ) from None
    event: dict[str, Any] = json.loads(payload)
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        raise InvalidInput("the payload is not a Stripe event", code="invalid_event")
    return event


def accept_event(
    table: Table, event: dict[str, Any], enqueue: Callable[[str], None], now: datetime
) -> WebhookReceipt:
    """Queue a verified event for processing unless its id was accepted before."""
    key = keys.webhook_event(str(event["id"]))
    if table.get(key, consistent=True) is not None:
        return WebhookReceipt(received=True, duplicate=True)
    enqueue(json.dumps(event))
    expires = int((now + DEDUPE_FOR).timestamp())
    record = {
        **key,
        "kind": "webhook_event",
        "type": str(event.get("type")),
        TTL_ATTRIBUTE: expires,
    }
    try:
        table.put(record, ITEM_IS_NEW)
    except ConditionFailed:
        return WebhookReceipt(received=True, duplicate=True)
    return WebhookReceipt(received=True, duplicate=False)
