"""Spend limits as the API offers them: read with what counts toward the limit now, and set."""

from billfold.clock import Clock
from billfold.customers.service import get_customer
from billfold.errors import ErrorCode, NotFound, RuleViolation
from billfold.spending.limits import SpendLimit, SpendLimitSettings, save_spend_limit
from billfold.storage.table import Table
from billfold.subscriptions.reads import stored_subscription
from billfold.usage.spending import spend_against_limit, spend_now


def get_spend_limit(table: Table, customer_id: str, clock: Clock) -> SpendLimit:
    """The customer's spend limit with this month's overage and auto-recharge spend."""
    get_customer(table, customer_id)
    against = spend_against_limit(table, customer_id, clock.now())
    if against is None:
        return SpendLimit(customer_id=customer_id, monthly_limit=None, currency=None)
    spent = against.spent
    return SpendLimit(
        customer_id=customer_id,
        monthly_limit=against.limit,
        currency=spent.currency,
        overage=spent.overage,
        auto_recharge=spent.auto_recharge,
        remaining=max(against.limit - spent.total, 0),
        reached=against.reached,
    )


def set_spend_limit(
    table: Table, customer_id: str, settings: SpendLimitSettings, clock: Clock
) -> SpendLimit:
    """Set (in the subscription's currency) or remove the customer's spend limit. A limit
    caps spend from now on: one below what already counts this month is refused (it would
    take back overage already used)."""
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
    if settings.monthly_limit is not None and currency is not None:
        spent = spend_now(table, customer_id, currency, clock.now())
        if settings.monthly_limit < spent.total:
            raise RuleViolation(
                f"this month already counts {spent.total} toward the limit: set at least that",
                field="monthlyLimit",
                code=ErrorCode.RULE_VIOLATION,
            )
    save_spend_limit(table, customer_id, settings, currency, clock)
    return get_spend_limit(table, customer_id, clock)
