"""Stripe webhooks, first half: verify, record once, queue. (`webhook_events` processes them.)

The endpoint answers fast: it checks the `Stripe-Signature` header against the webhook secret
(its timestamp within five minutes either side of the real clock Stripe signs with: stale
deliveries and far-future ones are refused alike), refuses a payload that is not an event
about one object (`data.object.id`), skips an event id
already accepted, queues the event for the worker and then records its id (kept 30 days). An
event queued twice (a crash between queueing and recording) is harmless: processing compares
with the current state, so a repeat changes nothing.
"""

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import stripe

from billfold.errors import ErrorCode, InvalidInput
from billfold.figures import Figure, record
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


def _bad_signature(why: str) -> InvalidInput:
    record(Figure.STRIPE_SIGNATURE_FAILURES)
    return InvalidInput(why, field="Stripe-Signature", code=ErrorCode.INVALID_SIGNATURE)


def _signed_at(signature: str) -> int | None:
    """The `t=` timestamp of a Stripe-Signature header (None if it has none)."""
    for part in signature.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            return int(value)
    return None


def verified_event(payload: str, signature: str | None, secret: str) -> dict[str, Any]:
    """The event, once its signature is proven and its timestamp is within the tolerance either
    way (InvalidInput `invalid_signature` otherwise), and once it is an event about one object
    (InvalidInput `invalid_event` otherwise)."""
    if not signature:
        raise _bad_signature("the Stripe-Signature header is missing")
    try:
        stripe.WebhookSignature.verify_header(payload, signature, secret, TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError:
        raise _bad_signature("the Stripe-Signature header does not match this payload") from None
    signed_at = _signed_at(signature)
    if signed_at is None or signed_at > time.time() + TOLERANCE_SECONDS:
        raise _bad_signature("the Stripe-Signature timestamp is in the future")
    event = json.loads(payload)
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        raise InvalidInput(
            "the payload is not a Stripe event", field="id", code=ErrorCode.INVALID_EVENT
        )
    if not isinstance(event.get("type"), str):
        raise InvalidInput("the event names no type", field="type", code=ErrorCode.INVALID_EVENT)
    if event_object_id(event) is None:
        raise InvalidInput(
            "the event names no object", field="data.object.id", code=ErrorCode.INVALID_EVENT
        )
    return event


def event_object_id(event: dict[str, Any]) -> str | None:
    """The id of the object an event is about (`data.object.id`), if it names one."""
    data = event.get("data")
    found = data.get("object") if isinstance(data, dict) else None
    object_id = found.get("id") if isinstance(found, dict) else None
    return object_id if isinstance(object_id, str) and object_id else None


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
