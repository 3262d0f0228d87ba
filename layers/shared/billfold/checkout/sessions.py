"""Checkout sessions: opened by the seller's backend, shown to the visitor (completing one is
`checkout.completion`)."""

import hashlib
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from billfold.catalog.plans import get_plan
from billfold.checkout.models import (
    CheckoutSession,
    CheckoutSessionCreate,
    CheckoutView,
    OpenedCheckout,
)
from billfold.checkout.quotes import quote_checkout
from billfold.checkout.tokens import mint_checkout_token
from billfold.clock import Clock
from billfold.customers.models import CustomerCreate
from billfold.customers.service import create_customer, find_customer, get_customer
from billfold.errors import (
    Conflict,
    ErrorCode,
    Gone,
    InvalidInput,
    NotFound,
    idempotency_key_reused,
)
from billfold.storage import keys
from billfold.storage.schema import TTL_ATTRIBUTE
from billfold.storage.table import ITEM_IS_NEW, ConditionFailed, Item, Table
from billfold.subscriptions.store import read_subscription

if TYPE_CHECKING:  # Stripe's SDK is for the routes that call it: viewing a session never does
    from billfold.payments.payment_methods import SetupIntentSecret, StripePaymentMethods
    from billfold.payments.stripe_customers import StripeCustomers

CHECKOUT_PAGE = "checkout.html"
KEPT_FOR = timedelta(days=30)
"""How long a session is kept after it expires."""


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


def stored_session(table: Table, session_id: str) -> CheckoutSession | None:
    """The session as stored, whatever its state, or None."""
    stored = _read(table, session_id)
    return None if stored is None else _session(stored)


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
    no_live_subscription(table, request.customer_id)
    return existing is None


def no_live_subscription(table: Table, customer_id: str) -> None:
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
    stripe: "StripeCustomers",
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


def live_session(table: Table, session_id: str, now: datetime) -> CheckoutSession:
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
    session = live_session(table, session_id, now)
    quote = quote_checkout(table, session, promotion_code, now)
    plan = get_plan(table, session.plan_id)
    return CheckoutView(session=session, plan_name=plan.name, quote=quote)


def checkout_setup_intent(
    table: Table,
    methods: "StripePaymentMethods",
    session_id: str,
    publishable_key: str,
    now: datetime,
) -> "SetupIntentSecret":
    """A SetupIntent for an open session's customer (410 once expired, 409 once complete)."""
    session = live_session(table, session_id, now)
    if session.status == "complete":
        raise Conflict(
            f"checkout session '{session_id}' is already complete", code=ErrorCode.CONFLICT
        )
    customer = get_customer(table, session.customer_id)
    return methods.setup_intent(customer.stripe_customer_id, publishable_key)
