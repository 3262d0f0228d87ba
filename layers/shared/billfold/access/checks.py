"""Entitlement checks against storage: one Query reads the materialized item and the counters."""

from dataclasses import dataclass
from datetime import datetime

from billfold.clock import Clock
from billfold.entitlements.check import (
    EntitlementCheck,
    check_all,
    check_entitlement,
    current_usage_period,
)
from billfold.entitlements.materialized import parse
from billfold.entitlements.models import MaterializedEntitlements
from billfold.errors import ErrorCode, NotFound
from billfold.prepaid.wallet import spendable
from billfold.storage.table import Table
from billfold.usage.counters import read_check_state
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


@dataclass(frozen=True)
class _Current:
    materialized: MaterializedEntitlements | None
    counters: dict[str, Counter]
    credit_balances: dict[str, int]


def _current(table: Table, customer_id: str, now: datetime) -> _Current:
    """The materialized item, counters and credit balances: one Query, unless a promotion in
    the item has expired since it was computed (then it is computed again, once, and stored)."""
    state = read_check_state(table, customer_id)
    balances = {t: spendable(w["grants"], now) for t, w in state.wallets.items()}
    materialized = parse(state.entitlements) if state.entitlements else None
    if materialized is not None and materialized.is_stale(now):
        from billfold.subscriptions.promotions import refreshed

        materialized = refreshed(table, customer_id, now)
        if materialized is None:
            state = read_check_state(table, customer_id)
            materialized = parse(state.entitlements) if state.entitlements else None
    return _Current(materialized, state.counters, balances)


def check_feature(
    table: Table, customer_id: str, feature_id: str, requested: int, clock: Clock
) -> EntitlementCheck:
    """May the customer use `requested` more of the feature? One DynamoDB read.

    An unknown customer is an answer (`reason: customer_not_found`), not an error: the
    caller's hot path only reads `hasAccess`.
    """
    now = clock.now()
    current = _current(table, customer_id, now)
    materialized = current.materialized
    usage = _usage(materialized, feature_id, current.counters.get(feature_id), now)
    return check_entitlement(
        materialized, feature_id, usage, now, requested, current.credit_balances
    )


def list_entitlements(table: Table, customer_id: str, clock: Clock) -> list[EntitlementCheck]:
    """Every feature the customer holds, with usage against its limit (the portal's view)."""
    now = clock.now()
    current = _current(table, customer_id, now)
    materialized = current.materialized
    if materialized is None:
        raise NotFound(
            f"customer '{customer_id}' does not exist", code=ErrorCode.CUSTOMER_NOT_FOUND
        )
    usage = {
        feature_id: _usage(materialized, feature_id, current.counters.get(feature_id), now)
        for feature_id in materialized.entries
    }
    return check_all(materialized, usage, now, current.credit_balances)
