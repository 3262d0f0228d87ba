"""How subscriptions and billing records are stored: the only module that builds their items."""

from datetime import datetime

from billfold.clock import sortable_timestamp
from billfold.storage import keys
from billfold.storage.due_work import due_work_entry
from billfold.storage.table import Condition, Item, Table, Update
from billfold.subscriptions.models import BillingRecord, Subscription


def next_transition(subscription: Subscription) -> str | None:
    """When the billing run must next look at the subscription (trial end or period end)."""
    if subscription.status == "canceled":
        return None
    moment = subscription.trial_end if subscription.status == "trialing" else None
    return sortable_timestamp(moment or subscription.current_period_end)


def read_subscription(table: Table, customer_id: str, *, consistent: bool = False) -> Item | None:
    """The customer's subscription item as stored (live or canceled), or None."""
    return table.get(keys.subscription(customer_id), consistent=consistent)


def subscription_item(subscription: Subscription) -> Item:
    """The subscription, indexed by when it is next due (not at all once canceled)."""
    item: Item = {
        **keys.subscription(subscription.customer_id),
        "kind": "subscription",
        **subscription.model_dump(mode="json"),
    }
    due = next_transition(subscription)
    if due is not None:
        item.update(due_work_entry(subscription.customer_id, due))
    return item


def never_billed(table: Table, customer_id: str) -> bool:
    """Whether nothing was ever billed to the customer: no billing record, each written with
    the subscription change that bills it (so this holds before its invoice is issued too)."""
    page = table.query(
        keys.customer_partition(customer_id), sort_key_prefix=keys.BILLING_PREFIX, limit=1
    )
    return not page.items


def billing_record_item(record: BillingRecord) -> Item:
    """A billing record, waiting for invoicing."""
    return {
        **billing_record_key(record.customer_id, record.created_at, record.id),
        "kind": "billing_record",
        "status": "pending",
        **record.model_dump(mode="json"),
    }


def billing_record_key(customer_id: str, created_at: datetime, record_id: str) -> keys.Key:
    """Where a billing record made at `created_at` is stored."""
    return keys.billing_record(customer_id, sortable_timestamp(created_at), record_id)


def invoiced_as(table: Table, record_key: keys.Key) -> str | None:
    """The id of the invoice a billing record became (None: not invoiced yet, or no record)."""
    record = table.get(record_key, consistent=True)
    return str(record["invoice_id"]) if record and "invoice_id" in record else None


def pending_billing_records(table: Table, customer_id: str) -> list[keys.Key]:
    """The keys of the customer's billing records not yet invoiced, oldest first."""
    pending: list[keys.Key] = []
    cursor = None
    while True:
        page = table.query(
            keys.customer_partition(customer_id),
            sort_key_prefix=keys.BILLING_PREFIX,
            where=Condition("#status = :pending", {"#status": "status"}, {":pending": "pending"}),
            limit=100,
            cursor=cursor,
        )
        pending += [{"pk": item["pk"], "sk": item["sk"]} for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return pending


def billing_record_invoiced(record_key: keys.Key, invoice_id: str) -> Update:
    """Mark a pending billing record invoiced (in the transaction that issues its invoice)."""
    return Update(
        record_key,
        "SET #status = :invoiced, invoice_id = :invoice",
        Condition("#status = :pending", {"#status": "status"}, {":pending": "pending"}),
        {"#status": "status"},
        {":invoiced": "invoiced", ":invoice": invoice_id},
    )
