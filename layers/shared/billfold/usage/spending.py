"""What counts toward a customer's spend limit now, read with the check's one Query."""

from dataclasses import dataclass
from datetime import datetime

from billfold.entitlements.materialized import parse
from billfold.spending.cost import Spend, limit_of, spend
from billfold.storage.table import Table
from billfold.usage.counters import CheckState, read_check_state, usage_in_periods


@dataclass(frozen=True)
class SpendAgainstLimit:
    """The limit (minor units of `spent.currency`) and the spend counting toward it."""

    limit: int
    spent: Spend

    @property
    def reached(self) -> bool:
        """Whether the spend has reached the limit."""
        return self.spent.total >= self.limit

    def allows(self, more: int) -> bool:
        """Whether spending `more` stays within the limit."""
        return self.spent.total + more <= self.limit


def _spent(state: CheckState, currency: str, now: datetime) -> Spend:
    entitlements = parse(state.entitlements) if state.entitlements else None
    if entitlements is None:
        return Spend(currency=currency, overage=0, auto_recharge=0)
    usage = usage_in_periods(entitlements, state.counters, now)
    return spend(entitlements, usage, state.wallets, currency, now)


def spend_now(table: Table, customer_id: str, currency: str, now: datetime) -> Spend:
    """What counts toward a spend limit in `currency` now, whether or not one is set."""
    return _spent(read_check_state(table, customer_id), currency, now)


def spend_against_limit(table: Table, customer_id: str, now: datetime) -> SpendAgainstLimit | None:
    """The customer's spend limit and this month's spend (None: no limit, or no customer)."""
    state = read_check_state(table, customer_id)
    limit = limit_of(state.spend_limit)
    if limit is None or state.entitlements is None:
        return None
    return SpendAgainstLimit(limit[0], _spent(state, limit[1], now))
