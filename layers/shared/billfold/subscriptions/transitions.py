"""The billing run's transitions: what happens to a subscription when its trial or period
ends. This is the one place they run: the scheduled billing run and the local test clock both
call `run_due_work`; request handlers never do.

- trial end: the subscription becomes active and its first period is billed (the payment
  method check joins with payments);
- period end with a scheduled cancel: canceled (no record);
- period end otherwise: renewed for the next period, billed in advance.
"""

import uuid
from datetime import datetime

from billfold.billing.periods import billing_period_at
from billfold.clock import Clock, sortable_timestamp
from billfold.errors import Conflict
from billfold.storage.schema import DUE_WORK_INDEX
from billfold.storage.table import Table
from billfold.subscriptions.changes import save_change
from billfold.subscriptions.models import BillingReason, BillingRecord, Subscription
from billfold.subscriptions.service import full_period_lines, stored_subscription
from billfold.subscriptions.store import DUE_SHARDS

MAX_TRANSITIONS = 1000
"""At most this many periods are caught up for one subscription in one run."""
MAX_RETRIES = 10
"""How many times a transition that lost a race to another change is read and tried again."""


def _due_at(subscription: Subscription) -> datetime | None:
    if subscription.status == "canceled":
        return None
    if subscription.status == "trialing" and subscription.trial_end:
        return subscription.trial_end
    return subscription.current_period_end


def _next(subscription: Subscription, due: datetime) -> tuple[Subscription, BillingReason | None]:
    """The subscription after the transition due at `due`, and why it bills (if it does)."""
    if subscription.cancel_at_period_end:
        canceled = subscription.model_copy(
            update={"status": "canceled", "canceled_at": due, "cancel_at_period_end": False}
        )
        return canceled, None
    period = billing_period_at(subscription.billing_anchor, subscription.billing_period, due)
    reason: BillingReason = "trial_ended" if subscription.status == "trialing" else "renewal"
    renewed = subscription.model_copy(
        update={
            "status": "active",
            "current_period_start": period.start,
            "current_period_end": period.end,
        }
    )
    return renewed, reason


def advance_subscription(table: Table, customer_id: str, now: datetime) -> int:
    """Apply every transition due by `now` to the customer's subscription; how many ran."""
    applied = 0
    for _ in range(MAX_TRANSITIONS + MAX_RETRIES):
        subscription = stored_subscription(table, customer_id)
        due = _due_at(subscription)
        if due is None or due > now:
            return applied
        after, reason = _next(subscription, due)
        record = None
        if reason is not None and (lines := full_period_lines(after)):
            record = BillingRecord(
                id=f"br_{uuid.uuid4().hex}",
                customer_id=customer_id,
                subscription_id=after.id,
                reason=reason,
                currency=after.currency,
                lines=lines,
                created_at=due,
            )
        try:
            save_change(table, subscription, after, due, record)
        except Conflict:
            continue  # changed meanwhile (a cancel, another run): read it again
        applied += 1
        if applied == MAX_TRANSITIONS:
            break
    return applied


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


def run_due_work(table: Table, clock: Clock) -> int:
    """Every transition due by now, shard by shard (the local stand-in for the fan-out)."""
    now = clock.now()
    return sum(
        advance_subscription(table, customer_id, now)
        for shard in range(DUE_SHARDS)
        for customer_id in due_customers(table, shard, now)
    )
