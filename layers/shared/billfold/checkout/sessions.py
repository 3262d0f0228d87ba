"""Checkout sessions: opened by the seller's backend, shown to and completed by the visitor.

Completing is safe to repeat and to race: the subscription is created under the session's own
order (the same create again returns it), and the session moves from open to complete in one
conditional write with its `checkout.completed` event, so a double click starts one
subscription and bills it once.
"""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urljoin

from billfold.catalog.plans import get_plan
from billfold.checkout.models import (
    CheckoutComplete,
    CheckoutQuote,
    CheckoutSession,
    CheckoutSessionCreate,
    CheckoutView,
    CompletedCheckout,
    OpenedCheckout,
)
from billfold.checkout.quotes import quote_checkout, subscription_order
from billfold.checkout.tokens import mint_checkout_token
from billfold.clock import Clock
from billfold.customers.cards import save_card
from billfold.customers.models import CustomerCreate
from billfold.customers.service import create_customer, find_customer, get_customer
from billfold.errors import (
    BillfoldError,
    Conflict,
    ErrorCode,
    Gone,
    InvalidInput,
    NotFound,
    PaymentDeclined,
    RuleViolation,
    idempotency_key_reused,
)
from billfold.outbox import EventType, event_put
from billfold.payments.charging import StripeCharges
from billfold.payments.payment_methods import SavedCard, SetupIntentSecret, StripePaymentMethods
from billfold.payments.stripe_customers import StripeCustomers
from billfold.storage import keys
from billfold.storage.schema import TTL_ATTRIBUTE
from billfold.storage.table import ITEM_IS_NEW, Condition, ConditionFailed, Item, Table, Update
from billfold.subscriptions.creation import create_subscription, replayed_order
from billfold.subscriptions.models import SubscriptionCreate, SubscriptionView
from billfold.subscriptions.reads import get_subscription
from billfold.subscriptions.store import read_subscription

CHECKOUT_PAGE = "checkout.html"
KEPT_FOR = timedelta(days=30)
"""How long a session is kept after it expires."""
_STILL_OPEN = Condition("#status = :open", {"#status": "status"}, {":open": "open"})


@dataclass(frozen=True)
class CheckoutPayments:
    """Stripe, as completing a checkout uses it: the cards, and a hold to check one."""

    methods: StripePaymentMethods
    charges: StripeCharges


def _session_id(idempotency_key: str | None) -> str:
    if idempotency_key is None:
        return f"cs_{uuid.uuid4().hex}"
    return f"cs_{hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]}"


def _item(session: CheckoutSession, terms: str) -> Item:
    return {
        **keys.checkout_session(session.id),
        "kind": "checkout_session",
        **session.model_dump(mode="json"),
        "terms": terms,
        TTL_ATTRIBUTE: int((session.expires_at + KEPT_FOR).timestamp()),
    }


def _read(table: Table, session_id: str) -> Item | None:
    return table.get(keys.checkout_session(session_id), consistent=True)


def _session(stored: Item) -> CheckoutSession:
    """The session as stored (its TTL attribute, `expiresAt` too, is the cleanup time)."""
    return CheckoutSession.model_validate(
        {name: value for name, value in stored.items() if name != TTL_ATTRIBUTE}
    )


def _opened(session: CheckoutSession, secret: bytes, page: str) -> OpenedCheckout:
    token = mint_checkout_token(secret, session.id, session.customer_id, session.expires_at)
    url = f"{urljoin(page, CHECKOUT_PAGE)}#token={token}"
    return OpenedCheckout(**session.model_dump(), token=token, url=url)


def _check_customer(table: Table, request: CheckoutSessionCreate) -> bool:
    """Whether the session creates its customer; 4xx when it can neither find nor create one,
    or when the customer already holds a live subscription (change it instead)."""
    existing = find_customer(table, request.customer_id, consistent=True)
    if existing is None and request.customer is None:
        raise InvalidInput(
            f"customer '{request.customer_id}' does not exist: give `customer` to create it",
            field="customer",
            code=ErrorCode.CUSTOMER_NOT_FOUND,
        )
    _no_live_subscription(table, request.customer_id)
    return existing is None


def _no_live_subscription(table: Table, customer_id: str) -> None:
    """409 `subscription_exists` when the customer holds a live subscription (change it)."""
    stored = read_subscription(table, customer_id, consistent=True)
    if stored is not None and stored.get("status") != "canceled":
        raise Conflict(
            f"customer '{customer_id}' already has a live subscription: change it",
            field="customerId",
            code=ErrorCode.SUBSCRIPTION_EXISTS,
        )


def open_checkout(
    table: Table,
    stripe: StripeCustomers,
    secret: bytes,
    request: CheckoutSessionCreate,
    clock: Clock,
    page: str,
) -> OpenedCheckout:
    """Open a session, creating its customer if `customer` describes a new one. The terms are
    checked first (4xx naming the field, nothing written). The same `idempotencyKey` again
    answers the same session."""
    now = clock.now()
    terms = request.model_dump_json(exclude={"expires_in_minutes"})
    session = CheckoutSession(
        id=_session_id(request.idempotency_key),
        **request.model_dump(exclude={"customer", "expires_in_minutes", "idempotency_key"}),
        status="open",
        created_at=now,
        expires_at=(now + timedelta(minutes=request.expires_in_minutes)).replace(microsecond=0),
    )
    if request.idempotency_key and (stored := _read(table, session.id)):
        if stored.get("terms") != terms:
            raise idempotency_key_reused("checkout session")
        return _opened(_session(stored), secret, page)
    creates_customer = _check_customer(table, request)
    quote_checkout(table, session, None, now)
    if creates_customer and request.customer:
        new = CustomerCreate(
            id=request.customer_id, email=request.customer.email, name=request.customer.name
        )
        create_customer(table, stripe, new, clock)
    try:
        table.put(_item(session, terms), ITEM_IS_NEW)
    except ConditionFailed:  # the same key, raced: answer the winner's session
        stored = _read(table, session.id)
        if stored is None or stored.get("terms") != terms:
            raise idempotency_key_reused("checkout session") from None
        session = _session(stored)
    return _opened(session, secret, page)


def _live_session(table: Table, session_id: str, now: datetime) -> CheckoutSession:
    """The session, 404 if unknown, 410 `checkout_session_expired` once an open one expired."""
    stored = _read(table, session_id)
    if stored is None:
        raise NotFound(
            f"checkout session '{session_id}' does not exist",
            code=ErrorCode.CHECKOUT_SESSION_NOT_FOUND,
        )
    session = _session(stored)
    if session.status == "open" and now >= session.expires_at:
        raise Gone(
            f"checkout session '{session_id}' expired at {session.expires_at.isoformat()}: "
            "ask for a new one",
            code=ErrorCode.CHECKOUT_SESSION_EXPIRED,
        )
    return session


def view_checkout(
    table: Table, session_id: str, promotion_code: str | None, now: datetime
) -> CheckoutView:
    """The session, its plan and what completing it now would charge (with a code, if
    given and allowed)."""
    session = _live_session(table, session_id, now)
    quote = quote_checkout(table, session, promotion_code, now)
    plan = get_plan(table, session.plan_id)
    return CheckoutView(session=session, plan_name=plan.name, quote=quote)


def _completed(table: Table, session: CheckoutSession) -> CompletedCheckout:
    return CompletedCheckout(
        session=session, subscription=get_subscription(table, session.customer_id)
    )


MAX_DECLINES = 3
"""Declined cards a session takes before it refuses more (no card testing through it)."""
PORTAL_HANDOFF = timedelta(minutes=10)
"""How long after completing the checkout's token may still open the customer's portal (a
retry whose answer was lost); after that, only the seller's own portal sessions."""


def opens_portal(session: CheckoutSession, now: datetime) -> bool:
    """Whether completing the session may hand its visitor a portal session now."""
    return session.completed_at is not None and now - session.completed_at <= PORTAL_HANDOFF


def complete_checkout(
    table: Table,
    payments: CheckoutPayments,
    session_id: str,
    request: CheckoutComplete,
    clock: Clock,
) -> CompletedCheckout:
    """Check the card the visitor confirmed (a hold for today's amount, released at once),
    save it, start the subscription and close the session. A completed session answers what
    it started (a retry or a double click), as does one that expired while closing."""
    now = clock.now()
    try:
        session = _live_session(table, session_id, now)
    except Gone:
        session = _session(_read(table, session_id) or {})
        order = subscription_order(session, request.promotion_code)
        started = replayed_order(table, session.customer_id, order)
        if started is None:
            raise
        return _close(table, session, started, order.promotion_code, now)
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
    _no_live_subscription(table, session.customer_id)
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
        return _completed(table, _live_session(table, session.id, now))
    return CompletedCheckout(session=done, subscription=subscription)


def checkout_setup_intent(
    table: Table,
    methods: StripePaymentMethods,
    session_id: str,
    publishable_key: str,
    now: datetime,
) -> SetupIntentSecret:
    """A SetupIntent for an open session's customer (410 once expired, 409 once complete)."""
    session = _live_session(table, session_id, now)
    if session.status == "complete":
        raise Conflict(
            f"checkout session '{session_id}' is already complete", code=ErrorCode.CONFLICT
        )
    customer = get_customer(table, session.customer_id)
    return methods.setup_intent(customer.stripe_customer_id, publishable_key)
