"""Customers: create (with the Stripe customer), read, list newest first, update.

Stripe is called before DynamoDB is written, and every Stripe call is safe to repeat, so a
failure at any step leaves either the whole change or none of it: a retry completes it. An
update that loses a race puts the winner's details back on the Stripe customer.
"""

from datetime import datetime
from typing import TYPE_CHECKING

from billfold.clock import Clock, sortable_timestamp
from billfold.customers.models import Customer, CustomerCreate, CustomerUpdate
from billfold.entitlements import materialized
from billfold.errors import ErrorCode, NotFound, already_exists, changed_concurrently
from billfold.outbox import EventType, event_put
from billfold.patching import merge_patch, unchanged
from billfold.storage import keys
from billfold.storage.schema import LISTING_INDEX
from billfold.storage.table import (
    ITEM_IS_NEW,
    ConditionFailed,
    Item,
    Put,
    Table,
    attribute_is,
)

if TYPE_CHECKING:  # reading customers must not import Stripe (cold start)
    from billfold.payments.stripe_customers import StripeCustomers


def _customer_item(customer: Customer) -> Item:
    document = customer.model_dump(mode="json")
    return {
        **keys.customer(customer.id),
        "kind": "customer",
        LISTING_INDEX.partition_key: keys.CUSTOMER_LIST_PARTITION,
        LISTING_INDEX.sort_key: f"{sortable_timestamp(customer.created_at)}#{customer.id}",
        **document,
    }


def _mapping_item(customer: Customer) -> Item:
    return {
        **keys.stripe_customer(customer.stripe_customer_id),
        "kind": "stripe_customer",
        "customer_id": customer.id,
    }


def is_billfold_customer(table: Table, stripe_customer_id: str) -> bool:
    """Whether a Stripe customer is one billfold made (webhooks ignore the others)."""
    return table.get(keys.stripe_customer(stripe_customer_id)) is not None


def find_customer(table: Table, customer_id: str, *, consistent: bool = False) -> Customer | None:
    """The customer, or None."""
    stored = table.get(keys.customer(customer_id), consistent=consistent)
    return Customer.model_validate(stored) if stored else None


def get_customer(table: Table, customer_id: str, *, consistent: bool = False) -> Customer:
    """The customer, or NotFound."""
    customer = find_customer(table, customer_id, consistent=consistent)
    if customer is None:
        raise NotFound(
            f"customer '{customer_id}' does not exist", code=ErrorCode.CUSTOMER_NOT_FOUND
        )
    return customer


def had_trial(table: Table, customer_id: str) -> bool:
    """Whether the customer has had a trial before (read consistently)."""
    return table.get(keys.trial_taken(customer_id), consistent=True) is not None


def trial_taken_put(customer_id: str, trial_end: datetime) -> Put:
    """The record, written with the subscription that starts a trial, that the customer had
    one: the plan's trial is not given again."""
    return Put(
        {
            **keys.trial_taken(customer_id),
            "kind": "trial_taken",
            "trial_end": trial_end.isoformat(),
        }
    )


def _same_customer(existing: Customer, request: CustomerCreate) -> Customer:
    if unchanged(existing, request):
        return existing
    raise already_exists("customer", request.id)


def create_customer(
    table: Table, stripe: "StripeCustomers", request: CustomerCreate, clock: Clock
) -> Customer:
    """Create the customer and its Stripe customer; the same request again returns it."""
    existing = find_customer(table, request.id, consistent=True)
    if existing is not None:
        return _same_customer(existing, request)
    stripe_id = stripe.create(request.id, request.email, request.name)
    now = clock.now()
    customer = Customer(
        **request.model_dump(), stripe_customer_id=stripe_id, created_at=now, updated_at=now
    )
    try:
        table.transact(
            [
                Put(_customer_item(customer), ITEM_IS_NEW),
                Put(_mapping_item(customer), ITEM_IS_NEW),
                materialized.empty(customer.id, customer.created_at),
                event_put(EventType.CUSTOMER_CREATED, customer.id, customer, now),
            ]
        )
    except ConditionFailed:
        winner = get_customer(table, request.id, consistent=True)
        if winner.stripe_customer_id != stripe_id:
            stripe.delete(stripe_id)
        return _same_customer(winner, request)
    return customer


def update_customer(
    table: Table, stripe: "StripeCustomers", customer_id: str, patch: CustomerUpdate, clock: Clock
) -> Customer:
    """Change a customer's email, name or metadata, mirroring email and name to Stripe."""
    current = get_customer(table, customer_id, consistent=True)
    request = merge_patch(current, patch, CustomerCreate)
    if unchanged(current, request):
        return current
    if (request.email, request.name) != (current.email, current.name):
        stripe.update(current.stripe_customer_id, request.email, request.name)
    updated = Customer.model_validate(
        {**current.model_dump(), **request.model_dump(), "updated_at": clock.now()}
    )
    read_at = attribute_is("updated_at", current.model_dump(mode="json")["updated_at"])
    event = event_put(EventType.CUSTOMER_UPDATED, customer_id, updated, updated.updated_at)
    try:
        table.transact([Put(_customer_item(updated), read_at), event])
    except ConditionFailed:
        winner = get_customer(table, customer_id, consistent=True)
        stripe.update(winner.stripe_customer_id, winner.email, winner.name)
        raise changed_concurrently("customer", customer_id) from None
    return updated


def list_customers(
    table: Table, *, limit: int, cursor: str | None
) -> tuple[list[Customer], str | None]:
    """One page of customers, newest first."""
    page = table.query(
        keys.CUSTOMER_LIST_PARTITION,
        index=(LISTING_INDEX.name, LISTING_INDEX.partition_key, LISTING_INDEX.sort_key),
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )
    return [Customer.model_validate(i) for i in page.items], page.next_cursor
