"""Spend limits as the API offers them: read with what counts toward the limit now, and set."""

from billfold.clock import Clock
from billfold.entitlements.materialized import parse
from billfold.errors import ErrorCode, NotFound, RuleViolation
from billfold.spending.cost import limit_of, spend
from billfold.spending.limits import SpendLimit, SpendLimitSettings, save_spend_limit
from billfold.storage.table import Table
from billfold.subscriptions.reads import stored_subscription
from billfold.usage.counters import read_check_state, usage_in_periods


def get_spend_limit(table: Table, customer_id: str, clock: Clock) -> SpendLimit:
    """The customer's spend limit with this month's overage and auto-recharge spend."""
    now = clock.now()
    state = read_check_state(table, customer_id)
    if state.entitlements is None:
        raise NotFound(
            f"customer '{customer_id}' does not exist", code=ErrorCode.CUSTOMER_NOT_FOUND
        )
    limit = limit_of(state.spend_limit)
    if limit is None:
        return SpendLimit(customer_id=customer_id, monthly_limit=None, currency=None)
    entitlements = parse(state.entitlements)
    usage = usage_in_periods(entitlements, state.counters, now)
    spent = spend(entitlements, usage, state.wallets, limit[1], now)
    return SpendLimit(
        customer_id=customer_id,
        monthly_limit=limit[0],
        currency=limit[1],
        overage=spent.overage,
        auto_recharge=spent.auto_recharge,
        remaining=max(limit[0] - spent.total, 0),
        reached=spent.total >= limit[0],
    )


def set_spend_limit(
    table: Table, customer_id: str, settings: SpendLimitSettings, clock: Clock
) -> SpendLimit:
    """Set (in the subscription's currency) or remove the customer's spend limit."""
    currency = None
    if settings.monthly_limit is not None:
        try:
            currency = stored_subscription(table, customer_id).currency
        except NotFound as missing:
            if missing.code != ErrorCode.NO_SUBSCRIPTION:
                raise
            raise RuleViolation(
                "a spend limit is in the subscription's currency: subscribe the customer first",
                code=ErrorCode.NO_SUBSCRIPTION,
            ) from None
    save_spend_limit(table, customer_id, settings, currency, clock)
    return get_spend_limit(table, customer_id, clock)
