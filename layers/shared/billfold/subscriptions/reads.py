"""Reading subscriptions: as stored, as live (not canceled), and as the API shows them, with
what the next invoice will ask for after the customer's credit balance."""

from billfold.credits.ledger import balance_of
from billfold.customers.service import get_customer
from billfold.errors import (
    Conflict,
    ErrorCode,
    NotFound,
)
from billfold.storage.table import Table
from billfold.subscriptions.models import (
    Subscription,
    SubscriptionView,
)
from billfold.subscriptions.store import read_subscription
from billfold.subscriptions.upcoming import credit_left, upcoming_invoice


def view(subscription: Subscription, credit: int) -> SubscriptionView:
    """The subscription with what its next invoice asks for, `credit` drawn from the balance."""
    next_invoice = upcoming_invoice(subscription, credit)
    return SubscriptionView(**subscription.model_dump(), next_invoice=next_invoice)


def current_view(table: Table, subscription: Subscription, billed_now: int = 0) -> SubscriptionView:
    """The view with the customer's credit balance read, after an invoice of net `billed_now`
    (the one just written with the subscription, not yet issued) has drawn on it or added."""
    balance = balance_of(table, subscription.customer_id, subscription.currency)
    return view(subscription, credit_left(balance, billed_now))


def live_subscription(table: Table, customer_id: str) -> Subscription:
    """The customer's subscription, read consistently, if it is not canceled (else 409
    `subscription_canceled`: a canceled subscription is replaced, never changed)."""
    current = stored_subscription(table, customer_id)
    if current.status == "canceled":
        raise Conflict(
            f"the subscription of customer '{customer_id}' is canceled: create a new one",
            code=ErrorCode.SUBSCRIPTION_CANCELED,
        )
    return current


def stored_subscription(table: Table, customer_id: str) -> Subscription:
    """The customer's subscription as stored (read consistently), or NotFound."""
    stored = read_subscription(table, customer_id, consistent=True)
    if stored is None:
        get_customer(table, customer_id)
        raise NotFound(
            f"customer '{customer_id}' has no subscription", code=ErrorCode.NO_SUBSCRIPTION
        )
    return Subscription.model_validate(stored)


def get_subscription(table: Table, customer_id: str) -> SubscriptionView:
    """The customer's current subscription, or NotFound `no_subscription`."""
    stored = read_subscription(table, customer_id)
    if stored is None:
        get_customer(table, customer_id)
        raise NotFound(
            f"customer '{customer_id}' has no subscription", code=ErrorCode.NO_SUBSCRIPTION
        )
    return current_view(table, Subscription.model_validate(stored))
