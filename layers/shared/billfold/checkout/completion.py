"""Completing a checkout: the card checked with a hold for today's amount and saved, the
subscription started and the session closed, once.

Completing is safe to repeat and to race: the subscription is created under the session's own
order (the same create again returns it), and the session moves from open to complete in one
conditional write with its `checkout.completed` event, so a double click starts one
subscription and bills it once.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from billfold.checkout.models import (
    CheckoutComplete,
    CheckoutQuote,
    CheckoutSession,
    CompletedCheckout,
)
from billfold.checkout.quotes import quote_checkout, subscription_order
from billfold.checkout.sessions import live_session, no_live_subscription, stored_session
from billfold.clock import Clock
from billfold.customers.cards import save_card
from billfold.customers.service import get_customer
from billfold.errors import (
    BillfoldError,
    Conflict,
    ErrorCode,
    Gone,
    InvalidInput,
    PaymentDeclined,
    RuleViolation,
)
from billfold.outbox import EventType, event_put
from billfold.payments.charging import StripeCharges
from billfold.payments.payment_methods import SavedCard, StripePaymentMethods
from billfold.storage import keys
from billfold.storage.table import Condition, ConditionFailed, Table, Update
from billfold.subscriptions.creation import create_subscription, replayed_order
from billfold.subscriptions.models import SubscriptionCreate, SubscriptionView
from billfold.subscriptions.reads import get_subscription

_STILL_OPEN = Condition("#status = :open", {"#status": "status"}, {":open": "open"})


@dataclass(frozen=True)
class CheckoutPayments:
    """Stripe, as completing a checkout uses it: the cards, and a hold to check one."""

    methods: StripePaymentMethods
    charges: StripeCharges


def _completed(table: Table, session: CheckoutSession) -> CompletedCheckout:
    return CompletedCheckout(
        session=session, subscription=get_subscription(table, session.customer_id)
    )


MAX_DECLINES = 3
"""Declined cards a session takes before it refuses more (no card testing through it)."""
PORTAL_HANDOFF = timedelta(minutes=10)
"""How long after completing the checkout's token may still open the customer's portal (a
retry whose answer was lost); after that, only the seller's own portal sessions."""


def _opens_portal(session: CheckoutSession, now: datetime) -> bool:
    """Whether completing the session may hand its visitor a portal session now."""
    return session.completed_at is not None and now - session.completed_at <= PORTAL_HANDOFF


def complete_checkout(
    table: Table,
    payments: CheckoutPayments,
    session_id: str,
    request: CheckoutComplete,
    clock: Clock,
    portal_link: Callable[[str], str],
) -> CompletedCheckout:
    """Check the card the visitor confirmed (a hold for today's amount, released at once),
    save it, start the subscription and close the session. A completed session answers what
    it started (a retry or a double click), as does one that expired while closing. During
    PORTAL_HANDOFF after completing, the answer carries `portal_link(customer)`."""
    completed = _complete(table, payments, session_id, request, clock)
    if not _opens_portal(completed.session, clock.now()):
        return completed
    return completed.model_copy(update={"portal_url": portal_link(completed.session.customer_id)})


def _complete(
    table: Table,
    payments: CheckoutPayments,
    session_id: str,
    request: CheckoutComplete,
    clock: Clock,
) -> CompletedCheckout:
    now = clock.now()
    try:
        session = live_session(table, session_id, now)
    except Gone:
        expired = stored_session(table, session_id)
        if expired is None:
            raise
        order = subscription_order(expired, request.promotion_code)
        started = replayed_order(table, expired.customer_id, order)
        if started is None:
            raise
        return _close(table, expired, started, order.promotion_code, now)
    if session.status == "complete":
        return _completed(table, session)
    order = subscription_order(session, request.promotion_code)
    try:
        subscription = _start(table, payments, session, order, request, clock)
    except BillfoldError:
        # A concurrent completion may have just started it (and redeemed the code this one
        # was refused): then this is a double click, answered with what the other started.
        started = replayed_order(table, session.customer_id, order)
        if started is None:
            raise
        subscription = started
    return _close(table, session, subscription, order.promotion_code, now)


def _check_card(
    table: Table,
    payments: CheckoutPayments,
    session: CheckoutSession,
    stripe_customer_id: str,
    setup_intent_id: str,
    quote: CheckoutQuote,
) -> None:
    """Refuse a card the bank declines for today's amount (402 `card_declined` with the bank's
    reason), and keep nothing of it: the subscription is only started on a card that pays.
    After MAX_DECLINES declines the session takes no more cards."""
    if session.declines >= MAX_DECLINES:
        raise RuleViolation(
            f"this checkout was declined {session.declines} times: start a new one",
            field="setupIntentId",
            code=ErrorCode.CHECKOUT_LOCKED,
        )
    card = payments.methods.confirmed_card(stripe_customer_id, setup_intent_id)
    key = f"billfold-checkout-{session.id}-{card}-{quote.due_today}"
    held = payments.charges.authorize(
        stripe_customer_id, card, quote.due_today, quote.currency, key
    )
    if held.status == "failed":
        payments.methods.discard(card)
        table.update(
            keys.checkout_session(session.id),
            "ADD declines :one",
            values={":one": 1},
            return_values="NONE",
        )
        raise PaymentDeclined(
            held.failure_message or "The card was declined.", field="setupIntentId"
        )


def _start(
    table: Table,
    payments: CheckoutPayments,
    session: CheckoutSession,
    order: SubscriptionCreate,
    request: CheckoutComplete,
    clock: Clock,
) -> SubscriptionView:
    """The subscription the session starts, after checking and saving the card (one is
    needed when anything will ever be charged); a retry answers the one it started before.
    Nothing touches Stripe while the customer holds a live subscription or the amount due
    is no longer the one the visitor saw."""
    started = replayed_order(table, session.customer_id, order)
    if started is not None:
        return started
    no_live_subscription(table, session.customer_id)
    quote = quote_checkout(table, session, order.promotion_code, clock.now())
    expected = request.expected_due_today
    if expected is not None and expected != quote.due_today:
        raise Conflict(
            f"the amount due today is now {quote.due_today}, not {expected}: show it again",
            field="expectedDueToday",
            code=ErrorCode.QUOTE_CHANGED,
        )
    customer = get_customer(table, session.customer_id, consistent=True)
    if request.setup_intent_id is not None:
        if quote.due_today > 0:
            _check_card(
                table,
                payments,
                session,
                customer.stripe_customer_id,
                request.setup_intent_id,
                quote,
            )
        saved = SavedCard(setup_intent_id=request.setup_intent_id, make_default=True)
        save_card(table, payments.methods, customer, saved, clock.now())
    elif quote.needs_payment_method and not payments.methods.has_card(customer.stripe_customer_id):
        raise InvalidInput(
            "this checkout charges a card: confirm one with Stripe.js first",
            field="setupIntentId",
            code=ErrorCode.PAYMENT_METHOD_REQUIRED,
        )
    return create_subscription(table, session.customer_id, order, clock)


def _close(
    table: Table,
    session: CheckoutSession,
    subscription: SubscriptionView,
    promotion_code: str | None,
    now: datetime,
) -> CompletedCheckout:
    """Mark the session complete with its `checkout.completed` event, once."""
    done = session.model_copy(
        update={
            "status": "complete",
            "subscription_id": subscription.id,
            "promotion_code": promotion_code,
            "completed_at": now,
        }
    )
    stored = done.model_dump(
        mode="json", include={"subscription_id", "promotion_code", "completed_at"}
    )
    changes = {name: value for name, value in stored.items() if value is not None}
    close = Update(
        keys.checkout_session(session.id),
        "SET #status = :complete, " + ", ".join(f"{name} = :{name}" for name in changes),
        _STILL_OPEN,
        {"#status": "status"},
        {":complete": "complete", **{f":{name}": value for name, value in changes.items()}},
    )
    try:
        table.transact(
            [close, event_put(EventType.CHECKOUT_COMPLETED, done.customer_id, done, now)]
        )
    except ConditionFailed:  # a concurrent completion closed it first
        return _completed(table, live_session(table, session.id, now))
    return CompletedCheckout(session=done, subscription=subscription)
