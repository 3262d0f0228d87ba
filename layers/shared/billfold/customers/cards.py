"""What billfold records of a customer's cards (Stripe keeps the cards themselves): one item
per card attached through billfold, written with its `payment_method.attached` event and the
notice that publishes `payment_method.expiring` the month before the card expires."""

from datetime import UTC, datetime

from billfold.customers.models import Customer
from billfold.errors import NotFound
from billfold.notices import notice_delete, notice_put
from billfold.outbox import EventType, event_put
from billfold.payments.payment_methods import Card, Cards, SavedCard, StripePaymentMethods
from billfold.storage import keys
from billfold.storage.table import ITEM_IS_NEW, ConditionFailed, Delete, Put, Table


def _notice_name(payment_method_id: str) -> str:
    return f"card_expiring#{payment_method_id}"


def expiry_notice_at(card: Card) -> datetime:
    """When `payment_method.expiring` is due: the first day of the month before the card's
    last month."""
    year, month = (
        (card.exp_year, card.exp_month - 1)
        if card.exp_month > 1
        else (
            card.exp_year - 1,
            12,
        )
    )
    return datetime(year, month, 1, tzinfo=UTC)


def record_attached(table: Table, customer_id: str, card: Card, now: datetime) -> bool:
    """Record a card attached through billfold, with its events; False if it was already."""
    data = card.model_dump(mode="json", by_alias=True)
    writes = [
        Put({**keys.card(customer_id, card.id), "kind": "card", **data}, ITEM_IS_NEW),
        event_put(EventType.PAYMENT_METHOD_ATTACHED, customer_id, card, now),
    ]
    if card.exp_year:
        due = expiry_notice_at(card)
        event_type = EventType.PAYMENT_METHOD_EXPIRING
        writes.append(notice_put(customer_id, _notice_name(card.id), event_type, due, data))
    try:
        table.transact(writes)
    except ConditionFailed:
        return False
    return True


def record_detached(table: Table, customer_id: str, payment_method_id: str, now: datetime) -> None:
    """Record a card removed: its event, and no expiry notice any more."""
    table.transact(
        [
            Delete(keys.card(customer_id, payment_method_id)),
            notice_delete(customer_id, _notice_name(payment_method_id)),
            event_put(
                EventType.PAYMENT_METHOD_DETACHED, customer_id, {"id": payment_method_id}, now
            ),
        ]
    )


def save_card(
    table: Table,
    methods: StripePaymentMethods,
    customer: Customer,
    request: SavedCard,
    now: datetime,
) -> Cards:
    """Keep the card a confirmed SetupIntent collected, and record it (once)."""
    cards, saved_id = methods.save(customer.stripe_customer_id, request)
    for card in cards.items:
        if card.id == saved_id:
            record_attached(table, customer.id, card, now)
    return cards


def remove_card(
    table: Table,
    methods: StripePaymentMethods,
    customer: Customer,
    payment_method_id: str,
    now: datetime,
) -> Cards:
    """Detach one of the customer's cards, and record that it is gone (also when a removal
    that failed after Stripe detached the card is retried: Stripe then knows no such card)."""
    try:
        cards = methods.remove(customer.stripe_customer_id, payment_method_id)
    except NotFound:
        if table.get(keys.card(customer.id, payment_method_id), consistent=True) is not None:
            record_detached(table, customer.id, payment_method_id, now)
        raise
    record_detached(table, customer.id, payment_method_id, now)
    return cards
