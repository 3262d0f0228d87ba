"""Usage counters: report usage exactly once, consume within a limit, read usage with entitlements.

Each feature a customer uses has one counter item, `ENT#USAGE#<featureId>`, next to the
materialized entitlements item `ENT`, so an entitlement check reads both with one Query
(`read_entitlements_and_usage`). A counter holds one usage period; the first report in a later
period closes the old one into history (`USAGE#<featureId>#<periodStart>`) and restarts the
count, in the same transaction.

Every report is one TransactWriteItems: the count's update and a dedupe record for its
idempotency key (`attribute_not_exists`, expiring after 7 days), so a retried report is counted
once. The update's condition pins the period it was planned for and, for `consume`, the limit
(`used <= limit - amount`), so concurrent reports never lose an update and concurrent consumers
never overshoot. A report planned on a stale view (the period rolled over, a transaction held
the item) is re-planned on a consistent read, a bounded number of times.

Periods and `now` are parameters: nothing here reads a clock.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from billfold.billing.periods import Period
from billfold.clock import as_utc, sortable_timestamp
from billfold.entitlements import materialized
from billfold.entitlements.check import current_usage_period
from billfold.entitlements.models import MaterializedEntitlements
from billfold.errors import Conflict, ErrorCode, InvalidInput, idempotency_key_reused
from billfold.retries import attempts
from billfold.storage import keys
from billfold.storage.table import ConditionFailed, Item, Listing, Table, Update, encode_cursor
from billfold.usage.models import Counter, UsageResult, Window, relation, window_of
from billfold.usage.writes import (
    Change,
    State,
    dedupe_key,
    dedupe_put,
    is_live_dedupe,
    plan,
    same_report,
)

MAX_ATTEMPTS = 8
"""Plans of one report before giving up with `concurrent_modification` (only under heavy
contention: DynamoDB cancels transactions that touch an item another transaction holds)."""

_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")
_READ_PAGE = 1000


def _checked(customer_id: str, feature_id: str, idempotency_key: str, now: datetime) -> datetime:
    if not customer_id or not feature_id or "#" in customer_id or "#" in feature_id:
        raise ValueError("customer and feature ids are non-empty and have no '#'")
    if not _IDEMPOTENCY_KEY.fullmatch(idempotency_key):
        raise InvalidInput(
            "the idempotency key is 1 to 255 visible ASCII characters",
            field="idempotencyKey",
        )
    return as_utc(now, "now")


def _amount(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{name} must be an integer", field=name)
    return value


def _counter(item: Item, feature_id: str) -> Counter:
    return Counter(
        feature_id=feature_id,
        period_start=item.get("period_start", ""),
        period_end=item.get("period_end", ""),
        used=item.get("used", 0),
    )


def _read_state(
    table: Table, customer_id: str, feature_id: str, window: Window, idempotency_key: str
) -> State:
    """The counter, the target period's history record and the dedupe record: one BatchGet."""
    counter_key = keys.usage_counter(customer_id, feature_id)
    closed_key = keys.usage_period(customer_id, feature_id, window.start)
    dedupe = dedupe_key(customer_id, idempotency_key)
    wanted = [counter_key, dedupe] + ([closed_key] if window.start else [])
    found = {item["sk"]: item for item in table.get_many(wanted, consistent=True)}
    counter = found.get(counter_key["sk"])
    closed = found.get(closed_key["sk"]) if window.start else None
    return State(
        counter=_counter(counter, feature_id) if counter else None,
        closed=_counter(closed, feature_id) if closed else None,
        dedupe=found.get(dedupe["sk"]),
    )


def _used_in_state(state: State, window: Window) -> int:
    where = relation(state.counter.window if state.counter else None, window)
    if where == "current" and state.counter is not None:
        return state.counter.used
    if where == "ahead" and state.closed is not None:
        return state.closed.used
    return 0


def _report(
    table: Table,
    customer_id: str,
    feature_id: str,
    period: Period | None,
    change: Change,
    idempotency_key: str,
    now: datetime,
) -> UsageResult:
    now = _checked(customer_id, feature_id, idempotency_key, now)
    window = window_of(period)
    dedupe = dedupe_put(customer_id, feature_id, idempotency_key, change, now)
    state: State | None = None
    for attempt in attempts(MAX_ATTEMPTS):
        if attempt:  # the last write lost: plan from what won
            state = _read_state(table, customer_id, feature_id, window, idempotency_key)
            if is_live_dedupe(state.dedupe, now):
                return _replayed(state, feature_id, change, window)
        writes = plan(customer_id, feature_id, window, change, now, state)
        try:
            table.transact([*writes, dedupe])
        except ConditionFailed:
            continue
        return UsageResult(
            counted=True, used=_count_after(table, writes[0], customer_id, feature_id, window)
        )
    raise Conflict(
        f"usage of '{feature_id}' kept changing concurrently; retry the report",
        code=ErrorCode.CONCURRENT_MODIFICATION,
    )


def _count_after(
    table: Table, written: Update, customer_id: str, feature_id: str, window: Window
) -> int:
    """The period's count read right after a write: from the item written, unless that was the
    counter and another report has already moved it on (then from the period's history)."""
    counter = _counter(table.get(written.key, consistent=True) or {}, feature_id)
    if written.key == keys.usage_counter(customer_id, feature_id) and counter.window != window:
        closed = table.get(
            keys.usage_period(customer_id, feature_id, window.start), consistent=True
        )
        return int((closed or {}).get("used", 0))
    return counter.used


def _replayed(state: State, feature_id: str, change: Change, window: Window) -> UsageResult:
    if state.dedupe is None or not same_report(state.dedupe, feature_id, change):
        raise idempotency_key_reused("usage report")
    return UsageResult(counted=False, used=_used_in_state(state, window))


def add_usage(
    table: Table,
    customer_id: str,
    feature_id: str,
    period: Period | None,
    amount: int,
    idempotency_key: str,
    now: datetime,
    *,
    allow_negative: bool = False,
) -> UsageResult:
    """Add `amount` to the feature's usage in `period` (None: a counter that never resets),
    once per idempotency key.

    A negative amount (a correction) needs `allow_negative`, and may not take the count below
    zero (InvalidInput `usage_below_zero`). A report for a period that has already closed
    counts in that period's history record.
    """
    amount = _amount(amount, "amount")
    if amount < 0 and not allow_negative:
        raise InvalidInput("usage amounts must not be negative", field="amount")
    change = Change("add", amount)
    return _report(table, customer_id, feature_id, period, change, idempotency_key, now)


def set_usage(
    table: Table,
    customer_id: str,
    feature_id: str,
    period: Period | None,
    value: int,
    idempotency_key: str,
    now: datetime,
) -> UsageResult:
    """Set the feature's usage in `period` to `value` (>= 0), once per idempotency key."""
    value = _amount(value, "value")
    if value < 0:
        raise InvalidInput(
            "usage must not be negative", field="value", code=ErrorCode.USAGE_BELOW_ZERO
        )
    change = Change("set", value)
    return _report(table, customer_id, feature_id, period, change, idempotency_key, now)


def consume(
    table: Table,
    customer_id: str,
    feature_id: str,
    period: Period | None,
    amount: int,
    limit: int | None,
    idempotency_key: str,
    now: datetime,
) -> UsageResult:
    """Add `amount` (>= 0) only if the usage in `period` stays within `limit` (None: unlimited),
    atomically: otherwise RuleViolation `limit_exceeded` and nothing is counted. Concurrent
    consumers never take the count past the limit."""
    amount = _amount(amount, "amount")
    if amount < 0:
        raise InvalidInput("usage amounts must not be negative", field="amount")
    if limit is not None and _amount(limit, "limit") < 0:
        raise InvalidInput("the limit must not be negative", field="limit")
    change = Change("consume", amount, limit)
    return _report(table, customer_id, feature_id, period, change, idempotency_key, now)


def current_usage(table: Table, customer_id: str, feature_id: str) -> Counter | None:
    """The feature's live counter, as stored (`used_in(period)` gives its usage in a period)."""
    item = table.get(keys.usage_counter(customer_id, feature_id), consistent=True)
    return _counter(item, feature_id) if item else None


def used_in_closed_period(table: Table, customer_id: str, feature_id: str, period: Period) -> int:
    """What the feature's closed history record says was used in `period` (0 if none)."""
    closed = table.get(
        keys.usage_period(customer_id, feature_id, sortable_timestamp(period.start)),
        consistent=True,
    )
    return int((closed or {}).get("used", 0))


def _history(customer_id: str, feature_id: str) -> Listing:
    return Listing(
        keys.customer_partition(customer_id), sort_key_prefix=keys.usage_history_prefix(feature_id)
    )


def history_cursor(customer_id: str, feature_id: str, period_start: str) -> str:
    """A cursor into the feature's history that continues after the period starting then."""
    start = keys.usage_period(customer_id, feature_id, period_start)
    return encode_cursor({k: {"S": v} for k, v in start.items()}, _history(customer_id, feature_id))


def usage_history(
    table: Table,
    customer_id: str,
    feature_id: str,
    limit: int = 20,
    cursor: str | None = None,
) -> tuple[list[Counter], str | None]:
    """The feature's closed usage periods, newest first, a page at a time (the live counter is
    not among them: read it with `current_usage` or `read_entitlements_and_usage`)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
        raise InvalidInput("limit is between 1 and 100", field="limit")
    listing = _history(customer_id, feature_id)
    page = table.query(
        listing.partition,
        sort_key_prefix=listing.sort_key_prefix,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )
    return [_counter(item, feature_id) for item in page.items], page.next_cursor


@dataclass(frozen=True)
class CheckState:
    """What one Query under the `ENT` prefix finds: the materialized entitlements item, every
    usage counter by feature id, every prepaid credit wallet by credit type id, and the spend
    limit."""

    entitlements: Item | None
    counters: dict[str, Counter]
    wallets: dict[str, Item]
    spend_limit: Item | None = None


def read_check_state(table: Table, customer_id: str, *, consistent: bool = False) -> CheckState:
    """The customer's entitlements item, counters and credit wallets: one Query on the `ENT`
    prefix (more only past 1 MB of counters)."""
    entitlements: Item | None = None
    counters: dict[str, Counter] = {}
    wallets: dict[str, Item] = {}
    spend_limit: Item | None = None
    cursor: str | None = None
    while True:
        page = table.query(
            keys.customer_partition(customer_id),
            sort_key_prefix=keys.ENTITLEMENTS_AND_USAGE_PREFIX,
            limit=_READ_PAGE,
            cursor=cursor,
            consistent=consistent,
        )
        for item in page.items:
            sort_key = item["sk"]
            if materialized.is_item(sort_key):
                entitlements = item
            elif sort_key.startswith(keys.USAGE_COUNTER_PREFIX):
                feature_id = sort_key.removeprefix(keys.USAGE_COUNTER_PREFIX)
                counters[feature_id] = _counter(item, feature_id)
            elif sort_key.startswith(keys.CREDIT_WALLET_PREFIX):
                wallets[sort_key.removeprefix(keys.CREDIT_WALLET_PREFIX)] = item
            elif sort_key == keys.SPEND_LIMIT_SORT_KEY:
                spend_limit = item
        cursor = page.next_cursor
        if cursor is None:
            return CheckState(entitlements, counters, wallets, spend_limit)


def usage_in_periods(
    entitlements: MaterializedEntitlements, counters: Mapping[str, Counter], now: datetime
) -> dict[str, int]:
    """Each held feature's usage in its current period (0 for a counter of an old period)."""
    usage = {}
    for feature_id, entry in entitlements.entries.items():
        counter = counters.get(feature_id)
        if counter is not None:
            period = current_usage_period(entry, entitlements.subscription_anchor, now)
            usage[feature_id] = counter.used_in(period)
    return usage


def read_entitlements_and_usage(
    table: Table, customer_id: str
) -> tuple[MaterializedEntitlements | None, dict[str, Counter]]:
    """The customer's materialized entitlements (None: no such customer) and every usage
    counter, by feature id: one Query on the `ENT` prefix (more only past 1 MB of counters)."""
    state = read_check_state(table, customer_id)
    return (materialized.parse(state.entitlements) if state.entitlements else None), state.counters


def read_entitlements_item_and_usage(
    table: Table, customer_id: str, *, consistent: bool = False
) -> tuple[Item | None, dict[str, Counter]]:
    """As `read_entitlements_and_usage`, with the entitlements item as stored (its version
    too, for a writer that rewrites it on that version)."""
    state = read_check_state(table, customer_id, consistent=consistent)
    return state.entitlements, state.counters
