"""Raw usage events, in batches of up to 1,000: each counted exactly once.

An event counts toward the metered feature whose id is its `eventName`: 1, or
`dimensions.quantity` when given. A malformed request (not a list, over 1,000 events, a field
of the wrong type) is a 400 naming the field, e.g. `events.17.timestamp`; an event the rules
refuse (unknown customer, feature not in the plan, a timestamp before the current usage period,
more than 35 days old or more than 5 minutes ahead, ...) is rejected on its own and the rest
are counted. Events for periods that have closed are refused rather than counted late.

Counting is cheap: the batch's accepted events are grouped per customer and feature, and each
group is one transaction holding one counter update and up to 98 dedupe records (one per
event, kept seven days). Keys counted before (a retried request) are found first with a
consistent BatchGet and marked `duplicate`; one counted meanwhile by a racing request fails the
transaction, and the rest are written again, so nothing is ever counted twice.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt, StrictStr

from billfold.clock import as_utc
from billfold.entitlements.check import current_usage_period
from billfold.entitlements.models import MaterializedEntitlements
from billfold.errors import Conflict, ErrorCode
from billfold.figures import Figure, record
from billfold.identifiers import CatalogId, CustomerId, IdempotencyKey
from billfold.models import ApiModel, RequestModel, ValueModel
from billfold.retries import attempts
from billfold.storage.table import ConditionFailed, Put, Table, Update
from billfold.usage.counters import current_usage, read_entitlements_and_usage
from billfold.usage.models import Counter, Window, window_of
from billfold.usage.writes import (
    Change,
    State,
    dedupe_key,
    dedupe_put,
    is_live_dedupe,
    plan,
    same_report,
)

MAX_EVENTS = 1000
DEDUPES_PER_TRANSACTION = 98
"""TransactWriteItems takes 100 items; a counter rolling over into a new period needs two."""
MAX_EVENT_AGE = timedelta(days=35)
"""Events older than this are refused whatever the feature's period (as Stripe's meter events)."""
CLOCK_SKEW = timedelta(minutes=5)
"""Timestamps this far ahead of now, or before the current period's start, are taken as clock
skew between the caller and billfold and counted in the current period."""
MAX_ATTEMPTS = 8
"""Lost races (a counter moved on, a key counted meanwhile) tolerated per group."""

_KEY_REUSED = ("idempotency_key_reused", "this idempotency key counted other usage before")

DimensionValue = StrictStr | StrictInt | StrictBool
EventStatus = Literal["accepted", "duplicate", "rejected"]


class UsageEvent(ValueModel):
    """Something a customer did, as the user's app saw it."""

    customer_id: CustomerId
    event_name: CatalogId
    idempotency_key: IdempotencyKey
    timestamp: Annotated[
        datetime,
        Field(
            description="When it happened, with a timezone: within the past 35 days and at most "
            "5 minutes ahead, and not before the current usage period (else the event is rejected)"
        ),
    ]
    dimensions: Annotated[dict[str, DimensionValue], Field(max_length=20)] = Field(
        default_factory=dict
    )


class EventBatch(RequestModel):
    """Up to 1,000 events."""

    events: Annotated[list[UsageEvent], Field(min_length=1, max_length=MAX_EVENTS)]


class EventOutcome(ApiModel):
    """What became of one event: accepted (counted now), duplicate (counted before) or
    rejected (never counted: `code` and `message` say why)."""

    index: int
    idempotency_key: str
    status: EventStatus
    code: str | None = None
    message: str | None = None


class EventBatchResult(ApiModel):
    """The batch's counts, and each event's outcome in request order."""

    accepted: int
    duplicates: int
    rejected: int
    items: list[EventOutcome]


@dataclass(frozen=True)
class _Counted:
    """An event that passed the rules, with its amount and counter window."""

    index: int
    event: UsageEvent
    quantity: int
    window: Window


def _quantity(event: UsageEvent) -> int | None:
    quantity = event.dimensions.get("quantity", 1)
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        return None
    return quantity if 0 <= quantity <= 10**12 else None


class _Outcomes:
    """Each event's outcome, by index."""

    def __init__(self, batch: EventBatch) -> None:
        self._batch = batch
        self.by_index: dict[int, EventOutcome] = {}

    def set(self, index: int, status: EventStatus, code: str | None = None, why: str = "") -> None:
        key = self._batch.events[index].idempotency_key
        self.by_index[index] = EventOutcome(
            index=index,
            idempotency_key=key,
            status=status,
            code=code,
            message=why or None,
        )

    def result(self) -> EventBatchResult:
        items = [self.by_index[i] for i in range(len(self._batch.events))]
        return EventBatchResult(
            accepted=sum(o.status == "accepted" for o in items),
            duplicates=sum(o.status == "duplicate" for o in items),
            rejected=sum(o.status == "rejected" for o in items),
            items=items,
        )


def _refusal(
    materialized: MaterializedEntitlements | None, event: UsageEvent, now: datetime
) -> tuple[str, str] | Window:
    """Why the rules refuse the event, or the window of the counter it counts in."""
    if materialized is None:
        return "customer_not_found", f"customer '{event.customer_id}' does not exist"
    if not materialized.has_subscription or materialized.subscription_status == "canceled":
        return "no_subscription", f"customer '{event.customer_id}' has no live subscription"
    entry = materialized.entries.get(event.event_name)
    if entry is None:
        return "feature_not_in_plan", f"the plan does not include '{event.event_name}'"
    if entry.feature_type != "metered":
        return "feature_not_metered", f"'{event.event_name}' is not a metered feature"
    if entry.credits is not None:
        return "feature_draws_credits", (
            f"'{event.event_name}' draws prepaid credits: report it through the usage or "
            "consume endpoints, which draw them"
        )
    if event.timestamp.tzinfo is None:
        return "invalid_timestamp", "the timestamp needs a timezone (e.g. Z)"
    moment = as_utc(event.timestamp)
    if moment > now + CLOCK_SKEW:
        return "timestamp_in_future", "the event is timestamped in the future"
    if moment < now - MAX_EVENT_AGE:
        return "timestamp_too_old", "the event is more than 35 days old"
    period = current_usage_period(entry, materialized.subscription_anchor, now)
    if period is not None and moment < period.start - CLOCK_SKEW:
        return "period_closed", "the event belongs to a usage period that has closed"
    return window_of(period)


def _seen(
    table: Table, customer_id: str, events: list[_Counted], now: datetime, outcomes: "_Outcomes"
) -> set[int]:
    """The indexes of events whose idempotency key was counted before (and still held), each
    marked: `duplicate` when it counted the same usage, else rejected `idempotency_key_reused`
    (the key namespace is the customer's, shared with `/v1/usage` and consumes)."""
    wanted = [dedupe_key(customer_id, c.event.idempotency_key) for c in events]
    held = {
        item["sk"]: item
        for item in table.get_many(wanted, consistent=True)
        if is_live_dedupe(item, now)
    }
    seen: set[int] = set()
    for c in events:
        record = held.get(dedupe_key(customer_id, c.event.idempotency_key)["sk"])
        if record is None:
            continue
        seen.add(c.index)
        if same_report(record, c.event.event_name, Change("add", c.quantity)):
            outcomes.set(c.index, "duplicate")
        else:
            outcomes.set(c.index, "rejected", *_KEY_REUSED)
    return seen


def _write_group(
    table: Table,
    customer_id: str,
    feature_id: str,
    events: list[_Counted],
    counter: Counter | None,
    now: datetime,
    outcomes: _Outcomes,
) -> None:
    """Count one customer's events for one feature and window, chunk by chunk."""
    state: State | None = State(counter=counter, closed=None, dedupe=None)
    for start in range(0, len(events), DEDUPES_PER_TRANSACTION):
        chunk = events[start : start + DEDUPES_PER_TRANSACTION]
        _write_chunk(table, customer_id, feature_id, chunk, state, now, outcomes)
        state = None  # the counter is now in this window: the next chunk just adds


def _write_chunk(
    table: Table,
    customer_id: str,
    feature_id: str,
    chunk: list[_Counted],
    state: State | None,
    now: datetime,
    outcomes: _Outcomes,
) -> None:
    """Count one chunk in one transaction; when it loses a race, the events a racing request
    counted meanwhile are marked and the rest written again on the counter as it is now."""
    for attempt in attempts(MAX_ATTEMPTS):
        if attempt:
            seen = _seen(table, customer_id, chunk, now, outcomes)
            chunk = [c for c in chunk if c.index not in seen]
            if not chunk:
                return
            fresh = current_usage(table, customer_id, feature_id)
            state = State(counter=fresh, closed=None, dedupe=None)
        change = Change("add", sum(c.quantity for c in chunk))
        writes: list[Put | Update] = [
            *plan(customer_id, feature_id, chunk[0].window, change, now, state),
            *(
                dedupe_put(
                    customer_id, feature_id, c.event.idempotency_key, Change("add", c.quantity), now
                )
                for c in chunk
            ),
        ]
        try:
            table.transact(writes)
        except ConditionFailed:
            continue
        for c in chunk:
            outcomes.set(c.index, "accepted")
        return
    raise Conflict(
        "usage kept changing concurrently; retry the batch (nothing is counted twice)",
        code=ErrorCode.CONCURRENT_MODIFICATION,
    )


def ingest_events(table: Table, batch: EventBatch, now: datetime) -> EventBatchResult:
    """Count each event of the batch once; say what became of every one."""
    now = as_utc(now, "now")
    outcomes = _Outcomes(batch)
    first_by_key: dict[tuple[str, str], int] = {}
    candidates: dict[str, list[tuple[int, UsageEvent, int]]] = defaultdict(list)
    for index, event in enumerate(batch.events):
        key = (event.customer_id, event.idempotency_key)
        quantity = _quantity(event)
        if key in first_by_key:
            same = batch.events[first_by_key[key]] == event
            if same:
                outcomes.set(index, "duplicate")
            else:
                outcomes.set(index, "rejected", *_KEY_REUSED)
            continue
        first_by_key[key] = index
        if quantity is None:
            why = "dimensions.quantity must be a whole number from 0 to 10^12"
            outcomes.set(index, "rejected", "invalid_quantity", why)
            continue
        candidates[event.customer_id].append((index, event, quantity))

    for customer_id, events in candidates.items():
        materialized, counters = read_entitlements_and_usage(table, customer_id)
        groups: dict[tuple[str, Window], list[_Counted]] = defaultdict(list)
        for index, event, quantity in events:
            verdict = _refusal(materialized, event, now)
            if isinstance(verdict, tuple):
                outcomes.set(index, "rejected", *verdict)
                continue
            groups[(event.event_name, verdict)].append(_Counted(index, event, quantity, verdict))
        for (feature_id, _), counted in groups.items():
            seen = _seen(table, customer_id, counted, now, outcomes)  # a retry: reads only
            fresh = [c for c in counted if c.index not in seen]
            _write_group(
                table, customer_id, feature_id, fresh, counters.get(feature_id), now, outcomes
            )
    result = outcomes.result()
    if result.accepted:
        record(Figure.EVENTS_INGESTED, result.accepted)
    return result
