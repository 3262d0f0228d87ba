"""Collecting open invoices: charge, record the outcome, and dun.

A charge outcome (from a charge attempt or a Stripe webhook) is applied by `record_outcome`,
which compares with the invoice's current state rather than trusting arrival order: a paid
invoice stays paid whatever failure arrives later, and a success settles an invoice even after
a failure was recorded.

- succeeded: the invoice is paid; a past_due subscription is active again.
- requires_action: the invoice stays open, waiting for the customer to authenticate (the
  portal shows the next action); the subscription is past_due.
- failed: the next attempt is scheduled per the dunning days and the subscription is past_due;
  after the last attempt the invoice is uncollectible and the subscription ends (its plan's
  fallback plan, or canceled).
- processing: nothing changes until Stripe's webhook says how it ended.

Rule when Stripe fails midway: invoicing and charging are separate steps. An invoice is written
before any charge; a charge that cannot reach Stripe changes nothing and is tried again by the
next billing run (the attempt's idempotency key makes that safe).
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from billfold.customers.service import get_customer
from billfold.errors import Conflict, ErrorCode, NotFound
from billfold.figures import Figure, record
from billfold.invoicing.models import Invoice, Payment
from billfold.invoicing.service import get_invoice, save_invoice
from billfold.payments.charges import ChargeOutcome, Charger, ChargeRequest
from billfold.retries import attempts
from billfold.storage.table import Table
from billfold.subscriptions.changes import save_change
from billfold.subscriptions.ending import ended
from billfold.subscriptions.models import Subscription
from billfold.subscriptions.reads import stored_subscription

MAX_RACES = 5


def _subscription_after(
    table: Table, invoice: Invoice, outcome: ChargeOutcome, gave_up: bool, now: datetime
) -> None:
    """Move the invoice's subscription to match the payment: past_due, active again, or ended."""
    if invoice.subscription_id is None:
        return
    for _ in attempts(MAX_RACES):
        try:
            current = stored_subscription(table, invoice.customer_id)
        except NotFound:
            return
        if current.id != invoice.subscription_id or current.status == "canceled":
            return
        after: Subscription | None = None
        if outcome.status == "succeeded" and current.status == "past_due":
            after = current.model_copy(update={"status": "active"})
        elif outcome.status in ("failed", "requires_action") and gave_up:
            after = ended(table, current, now)
        elif outcome.status in ("failed", "requires_action") and current.status == "active":
            after = current.model_copy(update={"status": "past_due"})
        if after is None:
            return
        try:
            save_change(table, current, after, now)
            return
        except Conflict:
            continue


def _settled(invoice: Invoice, outcome: ChargeOutcome, now: datetime) -> Invoice:
    return invoice.model_copy(
        update={
            "status": "paid",
            "amount_paid": invoice.amount_due,
            "paid_at": now,
            "payment": invoice.payment.model_copy(
                update={
                    "status": "succeeded",
                    "payment_intent_id": outcome.payment_intent_id,
                    "failure_code": None,
                    "failure_message": None,
                    "next_action_url": None,
                    "next_attempt_at": None,
                }
            ),
        }
    )


def _unpaid(
    invoice: Invoice, outcome: ChargeOutcome, now: datetime, dunning: Sequence[int]
) -> tuple[Invoice, bool]:
    """The invoice after a failed or blocked attempt, and whether dunning gave up."""
    attempts = max(invoice.payment.attempts, 1)
    gave_up = outcome.status == "failed" and attempts > len(dunning)
    retry = None
    if outcome.status == "failed" and not gave_up:
        retry = now + timedelta(days=dunning[attempts - 1])
    payment = Payment(
        status="failed" if outcome.status == "failed" else "requires_action",
        attempts=attempts,
        payment_intent_id=outcome.payment_intent_id,
        failure_code=outcome.failure_code,
        failure_message=outcome.failure_message,
        next_action_url=outcome.next_action_url,
        next_attempt_at=retry,
    )
    status = "uncollectible" if gave_up else "open"
    return invoice.model_copy(update={"status": status, "payment": payment}), gave_up


def record_outcome(
    table: Table,
    customer_id: str,
    invoice_id: str,
    outcome: ChargeOutcome,
    now: datetime,
    dunning: Sequence[int],
) -> Invoice:
    """Apply a charge outcome to the invoice (and its subscription), against its current state."""
    for _ in attempts(MAX_RACES):
        invoice = get_invoice(table, customer_id, invoice_id, consistent=True)
        if invoice.status != "open" or outcome.status == "processing":
            return invoice
        if outcome.status == "succeeded":
            after, gave_up = _settled(invoice, outcome, now), False
        else:
            same_intent = outcome.payment_intent_id == invoice.payment.payment_intent_id
            if same_intent and invoice.payment.status == outcome.status:
                return invoice  # a duplicate report of what is already recorded
            after, gave_up = _unpaid(invoice, outcome, now, dunning)
        try:
            saved = save_invoice(table, invoice, after, now)
        except Conflict:
            continue
        _record_figures(saved)
        _subscription_after(table, saved, outcome, gave_up, now)
        return saved
    raise Conflict(
        f"invoice '{invoice_id}' kept changing; retry", code=ErrorCode.CONCURRENT_MODIFICATION
    )


def _record_figures(invoice: Invoice) -> None:
    """The charge's outcome as business figures (the amount collected per currency)."""
    if invoice.status == "paid":
        record(Figure.PAYMENTS_SUCCEEDED)
        record(Figure.AMOUNT_COLLECTED, invoice.amount_paid, currency=invoice.currency)
    elif invoice.payment.status == "failed":
        record(Figure.PAYMENTS_FAILED)


def _attempt_due(invoice: Invoice, now: datetime) -> bool:
    """Whether the billing run should charge now: never tried, tried without an answer from
    Stripe, or a scheduled retry that has come."""
    payment = invoice.payment
    if invoice.status != "open" or invoice.amount_due == 0:
        return False
    if payment.status == "none":
        return True
    return payment.next_attempt_at is not None and payment.next_attempt_at <= now


def collect_invoice(
    table: Table,
    charges: Charger,
    invoice: Invoice,
    now: datetime,
    dunning: Sequence[int],
    *,
    on_request: bool = False,
) -> Invoice:
    """Charge the invoice's amount due if an attempt is due (or, `on_request`, whenever it is
    open: the customer's "pay now"), and record what happened.

    The attempt is counted before Stripe is called, with an idempotency key of its own; an
    attempt that never got an answer is repeated with the same key, so it charges at most once.
    """
    if invoice.status != "open":
        raise Conflict(
            f"invoice '{invoice.id}' is {invoice.status}: nothing to pay",
            code=ErrorCode.INVOICE_NOT_OPEN,
        )
    if not (on_request or _attempt_due(invoice, now)):
        return invoice
    payment = invoice.payment
    if payment.status != "none" or payment.attempts == 0:
        fresh = Payment(attempts=payment.attempts + 1, payment_intent_id=payment.payment_intent_id)
        invoice = save_invoice(table, invoice, invoice.model_copy(update={"payment": fresh}), now)
    customer = get_customer(table, invoice.customer_id, consistent=True)
    outcome = charges.charge(
        ChargeRequest(
            invoice_id=invoice.id,
            customer_id=invoice.customer_id,
            stripe_customer_id=customer.stripe_customer_id,
            amount=invoice.amount_due,
            currency=invoice.currency,
            attempt=invoice.payment.attempts,
        )
    )
    return record_outcome(table, invoice.customer_id, invoice.id, outcome, now, dunning)
