"""Usage thresholds: `usage.threshold_reached` at 80 % and 100 % of a limit, and
`usage.soft_limit_exceeded` when usage passes a soft limit.

They are read off the table's stream: a counter's old and new image show the report that
crossed a threshold, so reporting usage (the hot path) writes nothing more. Each event is
written with a marker item, on the condition that the marker is new, so it is published once
per threshold per period; a retried report (which changes no counter) publishes nothing.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from billfold.clock import from_sortable_timestamp
from billfold.entitlements import materialized
from billfold.entitlements.models import ResolvedEntitlement
from billfold.models import ApiModel
from billfold.outbox import EventType, event_put
from billfold.spending.reached import publish_reached
from billfold.storage import keys
from billfold.storage.schema import TTL_ATTRIBUTE
from billfold.storage.table import ITEM_IS_NEW, ConditionFailed, Item, Put, Table
from billfold.usage.spending import spend_against_limit

PERCENTS = (80, 100)
"""The thresholds of a limit that publish `usage.threshold_reached`."""
MARKER_KEPT = timedelta(days=7)
"""How long after its period a threshold marker is kept (a late report may still count)."""


class UsageThreshold(ApiModel):
    """`data` of a usage event: the feature, its period, the usage and the limit crossed."""

    feature_id: str
    period_start: str | None
    period_end: str | None
    used: int
    limit: int
    percent: int | None
    """The threshold reached (80 or 100); null for `usage.soft_limit_exceeded`."""
    enforcement: str | None


def is_counter(item: Mapping[str, Any]) -> bool:
    """Whether a stream image is a usage counter."""
    return str(item.get("sk", "")).startswith(keys.USAGE_COUNTER_PREFIX)


def _used_before(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> int:
    """The counter's count before the write, in the new image's period (0 if it rolled over)."""
    if old is None or old.get("period_start", "") != new.get("period_start", ""):
        return 0
    return int(old.get("used", 0))


def crossed(limit: int, soft: bool, before: int, after: int) -> list[tuple[EventType, int | None]]:
    """The events of usage moving from `before` to `after` under `limit`: each threshold
    reached (percent), and the soft limit passed (None)."""
    found: list[tuple[EventType, int | None]] = []
    for percent in PERCENTS:
        mark = -(-limit * percent // 100)  # the first count at or past the threshold
        if before < mark <= after and mark > 0:
            found.append((EventType.USAGE_THRESHOLD_REACHED, percent))
    if soft and before <= limit < after:
        found.append((EventType.USAGE_SOFT_LIMIT_EXCEEDED, None))
    return found


def _marker(customer_id: str, feature_id: str, period_end: str, mark: str) -> Put:
    """That the customer's usage of the feature reached `mark` in the period ending then."""
    key = keys.usage_threshold(customer_id, feature_id, period_end, mark)
    expires = from_sortable_timestamp(period_end) + MARKER_KEPT if period_end else None
    item = {**key, "kind": "usage_threshold"}
    if expires is not None:
        item[TTL_ATTRIBUTE] = int(expires.timestamp())
    return Put(item, ITEM_IS_NEW)


def threshold_events(
    customer_id: str,
    entitlement: ResolvedEntitlement,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any],
    now: datetime,
) -> list[tuple[Put, Put]]:
    """For each threshold a counter's change from `old` to `new` crossed under `entitlement`:
    the marker that it was reached this period and the event's outbox item, to be written
    together (the marker's condition fails if the threshold was reached before)."""
    if entitlement.unlimited or entitlement.limit is None:
        return []
    before, after = _used_before(old, new), int(new.get("used", 0))
    period_start = str(new.get("period_start", ""))
    period_end = str(new.get("period_end", ""))
    soft = entitlement.enforcement == "soft"
    pairs = []
    for event_type, percent in crossed(entitlement.limit, soft, before, after):
        data = UsageThreshold(
            feature_id=entitlement.feature_id,
            period_start=period_start or None,
            period_end=period_end or None,
            used=after,
            limit=entitlement.limit,
            percent=percent,
            enforcement=entitlement.enforcement,
        )
        mark = f"{percent}%" if percent else "soft"
        marker = _marker(customer_id, entitlement.feature_id, period_end, mark)
        pairs.append((marker, event_put(event_type, customer_id, data, now)))
    return pairs


def record_thresholds(table: Table, old: Item | None, new: Item, now: datetime) -> int:
    """Write the events of the thresholds a counter's change from `old` to `new` crossed;
    how many were new."""
    customer_id = str(new["pk"]).removeprefix("CUSTOMER#")
    feature_id = str(new["sk"]).removeprefix(keys.USAGE_COUNTER_PREFIX)
    entitlements = materialized.find(table, customer_id)
    entitlement = entitlements.entries.get(feature_id) if entitlements else None
    if entitlement is None:
        return 0
    written = 0
    for marker, event in threshold_events(customer_id, entitlement, old, new, now):
        try:
            table.transact([marker, event])
        except ConditionFailed:
            continue
        written += 1
    if entitlement.overage_prices and _reached_spend_limit(table, customer_id, now):
        written += 1
    return written


def _reached_spend_limit(table: Table, customer_id: str, now: datetime) -> bool:
    """Publish `usage.spend_limit_reached` if overage and auto-recharge now reach the limit
    (once a month); whether it was published now."""
    against = spend_against_limit(table, customer_id, now)
    if against is None or not against.reached:
        return False
    return publish_reached(table, customer_id, against.limit, against.spent, now)
