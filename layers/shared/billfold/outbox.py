"""The transactional outbox: every event is an item written in the same DynamoDB transaction as
the change it reports, so an event exists exactly when its change committed.

The table's stream carries each new event item to the relay (`billfold.events.relay`), which
gives it the customer's next `sequence` number and publishes it on the EventBridge bus.
"""

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from billfold.clock import isoformat, sortable_timestamp
from billfold.storage import keys
from billfold.storage.schema import TTL_ATTRIBUTE
from billfold.storage.table import ITEM_IS_NEW, Condition, ConditionFailed, Item, Put, Table

API_VERSION = "2026-11-29"
"""The version of every event's shape; a breaking change to `data` gets a new one."""

EVENT_RETENTION = timedelta(days=30)
"""How long an event stays readable (`GET /v1/billing-events`) and resendable."""


class EventType(StrEnum):
    """Every event billfold publishes (docs/events.md has each one's schema)."""

    CUSTOMER_CREATED = "customer.created"
    CUSTOMER_UPDATED = "customer.updated"
    SUBSCRIPTION_CREATED = "subscription.created"
    SUBSCRIPTION_UPDATED = "subscription.updated"
    SUBSCRIPTION_TRIAL_WILL_END = "subscription.trial_will_end"
    SUBSCRIPTION_TRIAL_ENDED = "subscription.trial_ended"
    SUBSCRIPTION_RENEWED = "subscription.renewed"
    SUBSCRIPTION_PAST_DUE = "subscription.past_due"
    SUBSCRIPTION_CANCELED = "subscription.canceled"
    SUBSCRIPTION_RESUMED = "subscription.resumed"
    SUBSCRIPTION_SCHEDULED_CHANGE_CREATED = "subscription.scheduled_change_created"
    SUBSCRIPTION_SCHEDULED_CHANGE_CANCELED = "subscription.scheduled_change_canceled"
    ENTITLEMENTS_UPDATED = "entitlements.updated"
    USAGE_THRESHOLD_REACHED = "usage.threshold_reached"
    USAGE_SOFT_LIMIT_EXCEEDED = "usage.soft_limit_exceeded"
    USAGE_SPEND_LIMIT_REACHED = "usage.spend_limit_reached"
    INVOICE_FINALIZED = "invoice.finalized"
    INVOICE_PAID = "invoice.paid"
    INVOICE_PAYMENT_FAILED = "invoice.payment_failed"
    INVOICE_PAYMENT_ACTION_REQUIRED = "invoice.payment_action_required"
    INVOICE_VOIDED = "invoice.voided"
    INVOICE_UNCOLLECTIBLE = "invoice.uncollectible"
    PAYMENT_METHOD_ATTACHED = "payment_method.attached"
    PAYMENT_METHOD_DETACHED = "payment_method.detached"
    PAYMENT_METHOD_EXPIRING = "payment_method.expiring"
    CREDIT_BALANCE_CHANGED = "credit_balance.changed"
    CREDITS_BALANCE_CHANGED = "credits.balance_changed"
    CREDITS_AUTO_RECHARGE_FAILED = "credits.auto_recharge_failed"
    CHECKOUT_COMPLETED = "checkout.completed"
    WEBHOOK_ENDPOINT_DISABLED = "webhook_endpoint.disabled"


def new_event_id(at: datetime) -> str:
    """A fresh event id, starting with its creation time."""
    return f"evt_{at.strftime('%Y%m%d%H%M%S')}{uuid.uuid4().hex[:16]}"


def derived_event_id(at: datetime, *source: str) -> str:
    """The event id of a change that may be recorded twice (a redelivered Stripe event, a
    notice published by two runs): the same source gives the same id, so the second write of
    the event fails instead of publishing it twice."""
    digest = hashlib.sha256("\x1f".join(source).encode()).hexdigest()[:16]
    return f"evt_{at.strftime('%Y%m%d%H%M%S')}{digest}"


def _document(data: BaseModel | Mapping[str, Any]) -> Any:
    if isinstance(data, BaseModel):
        return data.model_dump(mode="json", by_alias=True)
    return dict(data)


def event_put(
    event_type: EventType,
    customer_id: str | None,
    data: BaseModel | Mapping[str, Any],
    at: datetime,
    *,
    event_id: str | None = None,
) -> Put:
    """The outbox item of one event, to write in the transaction of the change it reports.

    `data` is the resource as the API returns it (a model is dumped as the API dumps it).
    The event's body is stored as JSON text, exactly as it will be published; the relay only
    adds its `sequence`.
    """
    event_id = event_id or new_event_id(at)
    body = {
        "id": event_id,
        "type": event_type.value,
        "apiVersion": API_VERSION,
        "createdAt": isoformat(at),
        "customerId": customer_id,
        "data": _document(data),
    }
    item: Item = {
        **keys.outbox_event(customer_id, sortable_timestamp(at), event_id),
        "kind": "event",
        "id": event_id,
        "type": event_type.value,
        "customer_id": customer_id,
        "body": json.dumps(body, separators=(",", ":")),
        TTL_ATTRIBUTE: int((at + EVENT_RETENTION).timestamp()),
    }
    return Put(item, ITEM_IS_NEW)


def is_event(item: Mapping[str, Any]) -> bool:
    """Whether an item (a stream image) is an outbox event."""
    return str(item.get("pk", "")).startswith("EVENTS#") and str(item.get("sk", "")).startswith(
        keys.EVENT_PREFIX
    )


def sequenced(table: Table, item: Mapping[str, Any]) -> dict[str, Any]:
    """The event of an outbox item with its `sequence`: the one it was given already, or the
    customer's next (set on the item on the condition that it has none, so an item relayed
    twice keeps its first number; a number lost to a crash leaves a gap: numbers only grow)."""
    event: dict[str, Any] = json.loads(item["body"])
    if "sequence" in item:
        return {**event, "sequence": int(item["sequence"])}
    counter = table.update(
        keys.event_sequence(event["customerId"]),
        "ADD #last :one",
        names={"#last": "last"},
        values={":one": 1},
    )
    number = int(counter["last"])
    key = keys.Key(pk=item["pk"], sk=item["sk"])
    try:
        table.update(
            key,
            "SET #sequence = :number",
            Condition("attribute_exists(pk) AND attribute_not_exists(#sequence)"),
            names={"#sequence": "sequence"},
            values={":number": number},
        )
    except ConditionFailed:
        stored = table.get(key, consistent=True)
        if stored is None or "sequence" not in stored:
            raise
        number = int(stored["sequence"])
    return {**event, "sequence": number}


def recent_events(
    table: Table, customer_id: str | None, *, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the customer's events (None: the deployment's own), newest first, as
    published (`sequence` null for an event not relayed yet)."""
    page = table.query(
        keys.events_partition(customer_id),
        sort_key_prefix=keys.EVENT_PREFIX,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )
    events = [{**json.loads(i["body"]), "sequence": i.get("sequence")} for i in page.items]
    return events, page.next_cursor
