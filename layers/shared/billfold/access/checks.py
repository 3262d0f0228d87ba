"""Entitlement checks against storage: one Query reads the materialized item and the counters."""

from datetime import datetime

from billfold.clock import Clock
from billfold.entitlements.check import (
    EntitlementCheck,
    check_all,
    check_entitlement,
    current_usage_period,
)
from billfold.entitlements.models import MaterializedEntitlements
from billfold.errors import ErrorCode, NotFound
from billfold.storage.table import Table
from billfold.usage.counters import read_entitlements_and_usage
from billfold.usage.models import Counter


def _usage(
    materialized: MaterializedEntitlements | None,
    feature_id: str,
    counter: Counter | None,
    now: datetime,
) -> int:
    """What the counter holds for the feature's current usage period (0 for an old period)."""
    if materialized is None or counter is None:
        return 0
    entry = materialized.entries.get(feature_id)
    period = current_usage_period(entry, materialized.subscription_anchor, now) if entry else None
    return counter.used_in(period)


def _current(
    table: Table, customer_id: str, now: datetime
) -> tuple[MaterializedEntitlements | None, dict[str, Counter]]:
    """The materialized item and counters: one Query, unless a promotion in the item has
    expired since it was computed (then it is computed again, once, and stored)."""
    materialized, counters = read_entitlements_and_usage(table, customer_id)
    if materialized is not None and materialized.is_stale(now):
        from billfold.subscriptions.promotions import refreshed

        fresh = refreshed(table, customer_id, now)
        if fresh is None:
            return read_entitlements_and_usage(table, customer_id)
        return fresh, counters
    return materialized, counters


def check_feature(
    table: Table, customer_id: str, feature_id: str, requested: int, clock: Clock
) -> EntitlementCheck:
    """May the customer use `requested` more of the feature? One DynamoDB read.

    An unknown customer is an answer (`reason: customer_not_found`), not an error: the
    caller's hot path only reads `hasAccess`.
    """
    now = clock.now()
    materialized, counters = _current(table, customer_id, now)
    usage = _usage(materialized, feature_id, counters.get(feature_id), now)
    return check_entitlement(materialized, feature_id, usage, now, requested)


def list_entitlements(table: Table, customer_id: str, clock: Clock) -> list[EntitlementCheck]:
    """Every feature the customer holds, with usage against its limit (the portal's view)."""
    now = clock.now()
    materialized, counters = _current(table, customer_id, now)
    if materialized is None:
        raise NotFound(
            f"customer '{customer_id}' does not exist", code=ErrorCode.CUSTOMER_NOT_FOUND
        )
    usage = {
        feature_id: _usage(materialized, feature_id, counters.get(feature_id), now)
        for feature_id in materialized.entries
    }
    return check_all(materialized, usage, now)
