"""What counts toward a customer's spend limit now, read with the check's one Query."""

from dataclasses import dataclass
from datetime import datetime

from billfold.entitlements.materialized import parse
from billfold.spending.cost import Spend, limit_of, spend
from billfold.storage.table import Table
from billfold.usage.counters import read_check_state, usage_in_periods


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


def spend_against_limit(table: Table, customer_id: str, now: datetime) -> SpendAgainstLimit | None:
    """The customer's spend limit and this month's spend (None: no limit, or no customer)."""
    state = read_check_state(table, customer_id)
    limit = limit_of(state.spend_limit)
    if limit is None or state.entitlements is None:
        return None
    entitlements = parse(state.entitlements)
    usage = usage_in_periods(entitlements, state.counters, now)
    return SpendAgainstLimit(limit[0], spend(entitlements, usage, state.wallets, limit[1], now))
