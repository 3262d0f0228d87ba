"""Entitlement checks against storage: one Query reads the materialized item, the counters, the
credit wallets and the spend limit."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from billfold.clock import Clock
from billfold.entitlements.check import EntitlementCheck, check_all, check_entitlement
from billfold.entitlements.materialized import parse
from billfold.entitlements.models import MaterializedEntitlements
from billfold.errors import ErrorCode, NotFound
from billfold.prepaid.wallet import spendable
from billfold.spending.cost import over_limit
from billfold.storage.table import Item, Table
from billfold.usage.counters import read_check_state, usage_in_periods


@dataclass(frozen=True)
class _Current:
    """What a check decides on: entitlements, usage in each feature's current period, credit
    balances by type, the stored wallets and the spend limit."""

    materialized: MaterializedEntitlements | None
    usage: dict[str, int]
    credit_balances: dict[str, int]
    wallets: dict[str, Item]
    spend_limit: Item | None

    def spend_refuses(self, check: EntitlementCheck, requested: int, now: datetime) -> bool:
        """Whether the spend limit turns this granted use of a soft limit into a refusal."""
        if self.materialized is None or not check.has_access:
            return False
        return over_limit(
            self.materialized,
            self.usage,
            self.wallets,
            self.spend_limit,
            check.feature_id,
            requested,
            now,
        )


def _current(table: Table, customer_id: str, now: datetime) -> _Current:
    """One Query, unless a promotion in the entitlements item has expired since it was
    computed (then it is computed again, once, and stored)."""
    state = read_check_state(table, customer_id)
    materialized = parse(state.entitlements) if state.entitlements else None
    if materialized is not None and materialized.is_stale(now):
        from billfold.subscriptions.promotions import refreshed

        materialized = refreshed(table, customer_id, now)
        if materialized is None:
            state = read_check_state(table, customer_id)
            materialized = parse(state.entitlements) if state.entitlements else None
    usage = usage_in_periods(materialized, state.counters, now) if materialized else {}
    balances = {t: spendable(w["grants"], now) for t, w in state.wallets.items()}
    return _Current(materialized, usage, balances, state.wallets, state.spend_limit)


def _spend_limited(check: EntitlementCheck) -> EntitlementCheck:
    update: dict[str, Any] = {"has_access": False, "reason": "spend_limit_reached"}
    return check.model_copy(update=update)


def check_feature(
    table: Table, customer_id: str, feature_id: str, requested: int, clock: Clock
) -> EntitlementCheck:
    """May the customer use `requested` more of the feature? One DynamoDB read.

    An unknown customer is an answer (`reason: customer_not_found`), not an error: the
    caller's hot path only reads `hasAccess`. Past the spend limit, a soft limit is hard.
    """
    now = clock.now()
    current = _current(table, customer_id, now)
    usage = current.usage.get(feature_id, 0)
    check = check_entitlement(
        current.materialized, feature_id, usage, now, requested, current.credit_balances
    )
    return _spend_limited(check) if current.spend_refuses(check, requested, now) else check


def list_entitlements(table: Table, customer_id: str, clock: Clock) -> list[EntitlementCheck]:
    """Every feature the customer holds, with usage against its limit (the portal's view)."""
    now = clock.now()
    current = _current(table, customer_id, now)
    if current.materialized is None:
        raise NotFound(
            f"customer '{customer_id}' does not exist", code=ErrorCode.CUSTOMER_NOT_FOUND
        )
    checks = check_all(current.materialized, current.usage, now, current.credit_balances)
    return [_spend_limited(c) if current.spend_refuses(c, 1, now) else c for c in checks]
