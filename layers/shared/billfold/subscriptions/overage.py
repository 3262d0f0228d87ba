"""Overage, billed in arrears: usage past a soft limit in the billing period that just ended,
at the plan's per-unit overage price in the subscription's currency.

Only counters whose usage period is the billing period itself (reset with the subscription,
monthly for a monthly plan, yearly for an annual one) are billed: a counter on another rhythm
(daily, calendar months) has no one period to bill with the subscription's.
"""

from datetime import datetime, timedelta

from billfold.billing.lines import BillingLine
from billfold.billing.overage import overage_charge
from billfold.billing.periods import Period
from billfold.entitlements.check import current_usage_period
from billfold.entitlements.materialized import parse
from billfold.spending.cost import limit_of
from billfold.storage.table import Table
from billfold.subscriptions.models import Subscription
from billfold.usage.counters import CheckState, read_check_state, used_in_closed_period
from billfold.usage.models import Counter

_JUST_BEFORE = timedelta(microseconds=1)


def _used(
    table: Table, customer_id: str, feature_id: str, counter: Counter | None, period: Period
) -> int:
    """The feature's usage in `period`: the live counter's, or its closed history record's."""
    if counter is not None and counter.period == period:
        return counter.used
    return used_in_closed_period(table, customer_id, feature_id, period)


def _spend_limit_credit(
    lines: list[BillingLine], state: CheckState, subscription: Subscription, billed: Period
) -> list[BillingLine]:
    """A credit taking back the overage past the spend limit (less what auto-recharge spent
    in the month the period ends in): nothing is billed beyond the cap."""
    limit = limit_of(state.spend_limit)
    if limit is None or limit[1] != subscription.currency or not lines:
        return []
    month = (billed.end - _JUST_BEFORE).strftime("%Y-%m")
    recharged = sum(
        int((w.get("auto_recharge") or {}).get("spent_this_month", 0))
        for w in state.wallets.values()
        if (w.get("auto_recharge") or {}).get("month") == month
    )
    over = sum(line.amount for line in lines) - max(limit[0] - recharged, 0)
    if over <= 0:
        return []
    return [
        BillingLine(
            key="spend-limit",
            description="Overage past your spend limit: not billed",
            kind="credit",
            amount=-over,
            currency=subscription.currency,
            quantity=1,
            unit_amount=-over,
            period_start=billed.start,
            period_end=billed.end,
        )
    ]


def overage_lines(table: Table, subscription: Subscription) -> list[BillingLine]:
    """The overage charges of the subscription's current billing period, as it ends, capped
    at the customer's spend limit."""
    state = read_check_state(table, subscription.customer_id)
    materialized = parse(state.entitlements) if state.entitlements else None
    counters = state.counters
    if materialized is None:
        return []
    billed = Period(start=subscription.current_period_start, end=subscription.current_period_end)
    lines = []
    for feature_id, entry in sorted(materialized.entries.items()):
        price = next((p for p in entry.overage_prices if p.currency == subscription.currency), None)
        if price is None or entry.limit is None:
            continue
        last_moment: datetime = billed.end - _JUST_BEFORE
        period = current_usage_period(entry, materialized.subscription_anchor, last_moment)
        if period != billed:
            continue
        used = _used(table, subscription.customer_id, feature_id, counters.get(feature_id), period)
        line = overage_charge(
            feature_id=feature_id,
            unit_plural=entry.unit.plural if entry.unit else "units",
            included=entry.limit,
            used=used,
            price=price,
            currency=subscription.currency,
            period=period,
        )
        if line is not None:
            lines.append(line)
    return lines + _spend_limit_credit(lines, state, subscription, billed)
