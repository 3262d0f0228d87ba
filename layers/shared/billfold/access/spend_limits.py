"""Spend limits as the API offers them: read with what counts toward the limit now, and set."""

from billfold.clock import Clock
from billfold.customers.service import get_customer
from billfold.errors import ErrorCode, Forbidden, NotFound, RuleViolation
from billfold.grants import Caller
from billfold.spending.limits import SpendLimit, SpendLimitSettings, save_spend_limit
from billfold.storage.table import Table
from billfold.subscriptions.reads import stored_subscription
from billfold.usage.spending import spend_against_limit, spend_now


def get_spend_limit(
    table: Table, customer_id: str, clock: Clock, *, customers_may_set: bool
) -> SpendLimit:
    """The customer's spend limit with this month's overage and auto-recharge spend, and
    whether the customer may set it (the seller's choice, `customers_may_set`)."""
    get_customer(table, customer_id)
    against = spend_against_limit(table, customer_id, clock.now())
    if against is None:
        return SpendLimit(
            customer_id=customer_id,
            monthly_limit=None,
            currency=None,
            customer_may_set=customers_may_set,
        )
    spent = against.spent
    return SpendLimit(
        customer_id=customer_id,
        monthly_limit=against.limit,
        currency=spent.currency,
        overage=spent.overage,
        auto_recharge=spent.auto_recharge,
        remaining=max(against.limit - spent.total, 0),
        reached=against.reached,
        customer_may_set=customers_may_set,
    )


def _currency(table: Table, customer_id: str) -> str:
    """The subscription's currency, which a limit is in (422 without a subscription)."""
    try:
        return stored_subscription(table, customer_id).currency
    except NotFound as missing:
        if missing.code != ErrorCode.NO_SUBSCRIPTION:
            raise
        raise RuleViolation(
            "a spend limit is in the subscription's currency: subscribe the customer first",
            code=ErrorCode.NO_SUBSCRIPTION,
        ) from None


def set_spend_limit(
    table: Table,
    customer_id: str,
    settings: SpendLimitSettings,
    clock: Clock,
    *,
    caller: Caller,
    customers_may_set: bool,
) -> SpendLimit:
    """Set (in the subscription's currency) or remove the customer's spend limit. A customer
    may only where the seller lets customers (`customers_may_set`; else 403). A limit caps
    spend from now on: one below what already counts this month is refused (it would take
    back overage already used)."""
    if caller is Caller.CUSTOMER and not customers_may_set:
        raise Forbidden(
            "the seller sets spend limits for this account",
            field="monthlyLimit",
            code=ErrorCode.SELLER_ONLY_FIELD,
        )
    currency = None
    if settings.monthly_limit is not None:
        currency = _currency(table, customer_id)
        spent = spend_now(table, customer_id, currency, clock.now())
        if settings.monthly_limit < spent.total:
            raise RuleViolation(
                f"this month already counts {spent.total} toward the limit: set at least that",
                field="monthlyLimit",
                code=ErrorCode.RULE_VIOLATION,
            )
    save_spend_limit(table, customer_id, settings, currency, clock)
    return get_spend_limit(table, customer_id, clock, customers_may_set=customers_may_set)
