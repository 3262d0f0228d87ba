"""The billing run's transitions: what happens to a subscription when its trial or period
ends. This is the one place they run: the billing worker (`billfold.settlement`), for the
scheduled run and the local test clock alike, calls `advance_subscription`; request handlers
never do.

- trial end: with a card on the customer, the subscription becomes active and its first
  period is billed; without one it ends (`ending.ended`: the fallback plan, or canceled);
- period end with a scheduled cancel: it ends the same way;
- period end otherwise: a scheduled change (a downgrade, annual to monthly) takes effect, and
  the subscription renews for the next period, billed in advance (a past_due subscription
  stays past_due: its payment decides, see `billfold.invoicing.collection`).

Every period that ends also bills its usage past soft limits, in arrears (`overage`).
"""

import logging
from datetime import datetime
from typing import Protocol

from billfold.billing.periods import billing_period_at
from billfold.clock import sortable_timestamp
from billfold.customers.service import get_customer
from billfold.errors import Conflict, changed_concurrently
from billfold.retries import attempts
from billfold.storage.schema import DUE_WORK_INDEX
from billfold.storage.table import Table
from billfold.subscriptions.billing_records import full_period_lines, period_record
from billfold.subscriptions.changes import save_change
from billfold.subscriptions.ending import ended
from billfold.subscriptions.models import BillingReason, Subscription
from billfold.subscriptions.overage import overage_lines
from billfold.subscriptions.reads import stored_subscription
from billfold.subscriptions.store import read_subscription

logger = logging.getLogger(__name__)

MAX_TRANSITIONS = 1000
"""At most this many periods are caught up for one subscription in one run."""
MAX_RETRIES = 10
"""How many times a transition that lost a race to another change is read and tried again."""


class PaymentMethods(Protocol):
    """Whether a Stripe customer can be charged (`StripePaymentMethods` in production)."""

    def has_card(self, stripe_customer_id: str) -> bool: ...


def _due_at(subscription: Subscription) -> datetime | None:
    if subscription.status == "canceled":
        return None
    if subscription.status == "trialing" and subscription.trial_end:
        return subscription.trial_end
    return subscription.current_period_end


def _with_scheduled_change(subscription: Subscription, due: datetime) -> Subscription:
    """The subscription with its scheduled change applied, if that falls due by `due`; a new
    billing period length restarts the cycle at `due`."""
    change = subscription.scheduled_change
    if change is None or change.effective_at > due:
        return subscription
    restarts = change.billing_period != subscription.billing_period
    return subscription.model_copy(
        update={
            "plan_id": change.plan_id,
            "plan_version": change.plan_version,
            "plan_name": change.plan_name,
            "billing_period": change.billing_period,
            "price": change.price,
            "addons": change.addons,
            "billing_anchor": due if restarts else subscription.billing_anchor,
            "usage_anchor": due if change.reset_usage else subscription.usage_anchor,
            "scheduled_change": None,
        }
    )


def _next(
    table: Table, subscription: Subscription, due: datetime, payment_methods: PaymentMethods
) -> tuple[Subscription, BillingReason | None]:
    """The subscription after the transition due at `due`, and why it bills (if it does)."""
    if subscription.cancel_at_period_end:
        return ended(table, subscription, due), None
    if subscription.status == "trialing":
        customer = get_customer(table, subscription.customer_id, consistent=True)
        if not payment_methods.has_card(customer.stripe_customer_id):
            return ended(table, subscription, due), None
    changed = _with_scheduled_change(subscription, due)
    period = billing_period_at(changed.billing_anchor, changed.billing_period, due)
    reason: BillingReason = "trial_ended" if subscription.status == "trialing" else "renewal"
    renewed = changed.model_copy(
        update={
            "status": "active" if subscription.status == "trialing" else subscription.status,
            "current_period_start": period.start,
            "current_period_end": period.end,
        }
    )
    return renewed, reason


def advance_subscription(
    table: Table, customer_id: str, now: datetime, payment_methods: PaymentMethods
) -> int:
    """Apply every transition due by `now` to the customer's subscription; how many ran (none
    for a customer without one: a card's notice may bring it to the billing run)."""
    if read_subscription(table, customer_id, consistent=True) is None:
        return 0
    for applied in range(MAX_TRANSITIONS):
        if not _apply_next(table, customer_id, now, payment_methods):
            return applied
    return MAX_TRANSITIONS


def _apply_next(
    table: Table, customer_id: str, now: datetime, payment_methods: PaymentMethods
) -> bool:
    """Apply the next transition due by `now`; False when none is due. A change written
    meanwhile (a cancel, another run) makes it read the subscription again."""
    for _ in attempts(MAX_RETRIES):
        subscription = stored_subscription(table, customer_id)
        due = _due_at(subscription)
        if due is None or due > now:
            return False
        after, reason = _next(table, subscription, due, payment_methods)
        lines = full_period_lines(after) if reason is not None else []
        if subscription.status != "trialing":
            lines = overage_lines(table, subscription) + lines  # the ended period, in arrears
        record = None
        if lines:
            after, record = period_record(after, reason or "period_ended", lines, due)
        try:
            save_change(table, subscription, after, due, record)
        except Conflict:
            continue
        return True
    raise changed_concurrently("subscription of customer", customer_id)


def due_customers(table: Table, shard: int, now: datetime) -> list[str]:
    """The customers of one due-work shard whose subscription is due by `now`."""
    index = (DUE_WORK_INDEX.name, DUE_WORK_INDEX.partition_key, DUE_WORK_INDEX.sort_key)
    customers: list[str] = []
    cursor = None
    while True:
        page = table.query(
            f"DUE#{shard:02d}",
            index=index,
            sort_key_at_most=f"{sortable_timestamp(now)}#\uffff",
            limit=100,
            cursor=cursor,
        )
        customers += [item["customer_id"] for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return customers
