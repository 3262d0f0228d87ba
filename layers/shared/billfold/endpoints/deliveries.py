"""Deliveries: one event to one endpoint, with every attempt (status, response code, time).

An attempt that fails is retried with exponential backoff (`RETRY_DELAYS`) for 3 days, then the
delivery is `failed`. A scheduled retry is an entry in the due-work index (partition
`WEBHOOK_RETRY`); the retry sweep queues what is due. An endpoint whose deliveries have failed
for 5 days is disabled, and `webhook_endpoint.disabled` is published.

Each attempt is recorded on the condition that the delivery still has the attempts it was
read with, so two workers racing on one delivery record one attempt (at-least-once: the
receiver may see the event twice, and drops it by `id`).
"""

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from billfold.clock import sortable_timestamp
from billfold.endpoints.service import (
    find_endpoint,
    health_writes,
    read_endpoint,
    signing_secrets,
)
from billfold.endpoints.signing import HEADER, signature_header
from billfold.errors import ErrorCode, NotFound
from billfold.figures import Figure, record
from billfold.models import ApiModel
from billfold.outbox import EventType
from billfold.storage import keys
from billfold.storage.schema import DUE_WORK_INDEX, TTL_ATTRIBUTE
from billfold.storage.table import (
    ITEM_IS_NEW,
    Condition,
    ConditionFailed,
    Item,
    Table,
    Update,
)

RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
)
"""The waits after the 1st, 2nd, ... failed attempt; every later wait is the last."""
RETRY_FOR = timedelta(days=3)
"""A delivery still failing this long after it was created is `failed`."""
KEPT_FOR = timedelta(days=30)
"""How long a delivery stays in the log."""
RETRY_PARTITION = "WEBHOOK_RETRY"
TIMEOUT_SECONDS = 10.0
"""An endpoint that has not answered in this long has failed the attempt."""

DeliveryStatus = Literal["pending", "succeeded", "failed"]


class Attempt(ApiModel):
    """One attempt: when, its outcome, the endpoint's HTTP status (null: no answer) and how
    long it took."""

    at: datetime
    status: Literal["succeeded", "failed"]
    response_code: int | None
    duration_ms: int
    error: str | None = None


class Delivery(ApiModel):
    """One event's delivery to one endpoint."""

    id: str
    endpoint_id: str
    event_id: str
    event_type: str
    customer_id: str | None
    status: DeliveryStatus
    attempts: list[Attempt]
    next_attempt_at: datetime | None = None
    created_at: datetime


@dataclass(frozen=True)
class Response:
    """What an endpoint answered: its status code (None: no answer) or why there was none."""

    status_code: int | None
    duration_ms: int
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        """A 2xx answer."""
        return self.status_code is not None and 200 <= self.status_code < 300


class Sender(Protocol):
    """Posts a signed body to an endpoint's URL (`HttpSender`)."""

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> Response: ...


@dataclass(frozen=True)
class Queued:
    """A delivery to attempt: what a delivery queue message names."""

    endpoint_id: str
    delivery_id: str

    def message(self) -> str:
        """The queue message body."""
        return json.dumps({"endpointId": self.endpoint_id, "deliveryId": self.delivery_id})

    @classmethod
    def of(cls, message: Mapping[str, Any]) -> "Queued":
        """The delivery a queue message (parsed) names."""
        return cls(endpoint_id=str(message["endpointId"]), delivery_id=str(message["deliveryId"]))


def _delivery_id(endpoint_id: str, event: Mapping[str, Any]) -> str:
    """The same for every fan-out of one event to one endpoint (so a redelivered fan-out
    finds the delivery it recorded), starting with the event's time (so an endpoint's
    deliveries sort by it)."""
    digest = hashlib.sha256(f"{endpoint_id}\x1f{event['id']}".encode()).hexdigest()[:16]
    return f"whd_{re.sub(r'[^0-9]', '', str(event['createdAt']))[:14]}{digest}"


def subscribes(endpoint: Mapping[str, Any], event_type: str) -> bool:
    """Whether an enabled endpoint wants events of this type."""
    wanted = endpoint.get("event_types", [])
    return endpoint.get("status") == "enabled" and ("*" in wanted or event_type in wanted)


def fan_out(
    table: Table, event: Mapping[str, Any], endpoints: list[Item], now: datetime
) -> list[Queued]:
    """Record a delivery of `event` to each endpoint that wants it; the deliveries to attempt
    (an event fanned out again records nothing twice, and re-queues only deliveries not yet
    attempted)."""
    queued: list[Queued] = []
    for endpoint in endpoints:
        if (
            event.get("type") == EventType.WEBHOOK_ENDPOINT_DISABLED
            and event.get("data", {}).get("id") == endpoint["id"]
        ):
            continue  # an endpoint is not told that it was disabled
        if not subscribes(endpoint, str(event["type"])):
            continue
        delivery_id = _delivery_id(endpoint["id"], event)
        key = keys.webhook_delivery(endpoint["id"], delivery_id)
        item: Item = {
            **key,
            "kind": "webhook_delivery",
            "id": delivery_id,
            "endpoint_id": endpoint["id"],
            "event_id": event["id"],
            "event_type": event["type"],
            "customer_id": event.get("customerId"),
            "body": json.dumps(event, separators=(",", ":")),
            "status": "pending",
            "attempts": [],
            "attempt_count": 0,
            "next_attempt_at": now.isoformat(),
            "created_at": now.isoformat(),
            TTL_ATTRIBUTE: int((now + KEPT_FOR).timestamp()),
        }
        try:
            table.put(item, ITEM_IS_NEW)
        except ConditionFailed:
            stored = table.get(key, consistent=True)
            if stored is None or stored.get("attempt_count", 0) > 0:
                continue
        queued.append(Queued(endpoint["id"], delivery_id))
    return queued


def delivery_of(item: Mapping[str, Any]) -> Delivery:
    """The delivery an item holds."""
    return Delivery.model_validate(
        {name: item.get(name) for name in Delivery.model_fields if name in item}
    )


def _not_found(delivery_id: str) -> NotFound:
    return NotFound(
        f"delivery '{delivery_id}' does not exist", code=ErrorCode.WEBHOOK_DELIVERY_NOT_FOUND
    )


def list_deliveries(
    table: Table, endpoint_id: str, *, limit: int, cursor: str | None
) -> tuple[list[Delivery], str | None]:
    """One page of an endpoint's deliveries, newest first (NotFound for no such endpoint)."""
    read_endpoint(table, endpoint_id)
    page = table.query(
        f"WEBHOOKENDPOINT#{endpoint_id}",
        sort_key_prefix=keys.DELIVERY_PREFIX,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )
    return [delivery_of(item) for item in page.items], page.next_cursor


def next_attempt(created: datetime, failures: int, now: datetime) -> datetime | None:
    """When to try again after the `failures`-th failure at `now` (None: give up)."""
    wait = RETRY_DELAYS[min(failures, len(RETRY_DELAYS)) - 1]
    at = now + wait
    return at if at <= created + RETRY_FOR else None


def _record(item: Mapping[str, Any], attempt: Attempt, now: datetime) -> tuple[Update, Delivery]:
    """The write recording `attempt` on the delivery, and the delivery after it: succeeded, or
    failed with a retry scheduled while the delivery is under 3 days old."""
    count = int(item.get("attempt_count", 0))
    created = datetime.fromisoformat(item["created_at"])
    failures = sum(1 for a in item.get("attempts", []) if a["status"] == "failed") + (
        attempt.status == "failed"
    )
    retry = next_attempt(created, failures, now) if attempt.status == "failed" else None
    status: DeliveryStatus = "succeeded"
    if attempt.status == "failed":
        status = "pending" if retry else "failed"
    recorded = attempt.model_dump(mode="json")
    values: dict[str, Any] = {
        ":attempt": [recorded],
        ":status": status,
        ":count": count + 1,
        ":read": count,
    }
    expression = (
        "SET attempts = list_append(attempts, :attempt), #status = :status, attempt_count = :count"
    )
    if retry is not None:
        expression += (
            f", next_attempt_at = :next, {DUE_WORK_INDEX.partition_key} = :due, "
            f"{DUE_WORK_INDEX.sort_key} = :at"
        )
        values[":next"] = retry.isoformat()
        values[":due"] = RETRY_PARTITION
        values[":at"] = f"{sortable_timestamp(retry)}#{item['endpoint_id']}#{item['id']}"
    else:
        expression += (
            f" REMOVE next_attempt_at, {DUE_WORK_INDEX.partition_key}, {DUE_WORK_INDEX.sort_key}"
        )
    update = Update(
        {"pk": item["pk"], "sk": item["sk"]},
        expression,
        Condition("attempt_count = :read"),
        {"#status": "status"},
        values,
    )
    after = {
        **item,
        "attempts": [*item.get("attempts", []), recorded],
        "status": status,
        "next_attempt_at": retry.isoformat() if retry else None,
    }
    return update, delivery_of(after)


def attempt(
    table: Table,
    sender: Sender,
    queued: Queued,
    now: datetime,
    *,
    forced: bool = False,
) -> Delivery | None:
    """Attempt a delivery that is due (`forced`: now, whatever its state: a resend) and record
    it; None when there was nothing to attempt (done, not due, endpoint gone or disabled)."""
    key = keys.webhook_delivery(queued.endpoint_id, queued.delivery_id)
    item = table.get(key, consistent=True)
    endpoint = find_endpoint(table, queued.endpoint_id)
    if item is None:
        if forced:
            raise _not_found(queued.delivery_id)
        return None
    if endpoint is None or (endpoint.get("status") != "enabled" and not forced):
        _unschedule(table, item)  # deleted or disabled: no more retries (a resend still can)
        return None
    due = item.get("next_attempt_at")
    if not forced and (item["status"] != "pending" or due is None or due > now.isoformat()):
        return None
    body = str(item["body"]).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "billfold-webhooks/1",
        "Billfold-Event-Id": str(item["event_id"]),
        "Billfold-Event-Type": str(item["event_type"]),
        HEADER: signature_header(body, int(now.timestamp()), signing_secrets(endpoint, now)),
    }
    response = sender.send(str(endpoint["url"]), body, headers)
    outcome = Attempt(
        at=now,
        status="succeeded" if response.succeeded else "failed",
        response_code=response.status_code,
        duration_ms=response.duration_ms,
        error=response.error,
    )
    update, delivery = _record(item, outcome, now)
    try:
        table.transact([update])
    except ConditionFailed:
        return None  # another worker recorded an attempt of this delivery first
    succeeded = Figure.WEBHOOK_DELIVERIES_SUCCEEDED
    record(succeeded if response.succeeded else Figure.WEBHOOK_DELIVERIES_FAILED)
    try:
        health = health_writes(endpoint, response.succeeded, now)
        if health:
            table.transact(health)
    except ConditionFailed:
        pass  # another attempt moved the endpoint's health first
    return delivery


def _unschedule(table: Table, item: Mapping[str, Any]) -> None:
    """Take a delivery out of the retry sweep (its endpoint no longer takes deliveries)."""
    if DUE_WORK_INDEX.partition_key not in item:
        return
    table.update(
        {"pk": item["pk"], "sk": item["sk"]},
        f"REMOVE next_attempt_at, {DUE_WORK_INDEX.partition_key}, {DUE_WORK_INDEX.sort_key}",
        Condition("attribute_exists(pk)"),
        return_values="NONE",
    )


def resend(
    table: Table, sender: Sender, endpoint_id: str, delivery_id: str, now: datetime
) -> Delivery:
    """Attempt a delivery again now, whatever its state (a failure is retried as any other);
    the delivery with the attempt."""
    queued = Queued(endpoint_id, delivery_id)
    for _ in range(3):
        delivery = attempt(table, sender, queued, now, forced=True)
        if delivery is not None:
            return delivery
    raise _not_found(delivery_id)


def due_retries(table: Table, now: datetime) -> list[Queued]:
    """The deliveries whose retry is due by `now`."""
    index = (DUE_WORK_INDEX.name, DUE_WORK_INDEX.partition_key, DUE_WORK_INDEX.sort_key)
    due: list[Queued] = []
    cursor = None
    while True:
        page = table.query(
            RETRY_PARTITION,
            index=index,
            sort_key_at_most=f"{sortable_timestamp(now)}#\uffff",
            limit=100,
            cursor=cursor,
        )
        due += [Queued(str(i["endpoint_id"]), str(i["id"])) for i in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return due
