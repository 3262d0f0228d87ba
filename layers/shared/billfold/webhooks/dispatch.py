"""Stripe webhooks, second half: what each event type does (run by the webhook queue's worker).

Every handler reads the object's current state from Stripe and compares it with billfold's,
so duplicates change nothing and arrival order does not matter. Events of other types, and
events about objects billfold did not make (another integration on the same Stripe account),
are ignored.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import stripe

from billfold.customers.service import is_billfold_customer
from billfold.errors import NotFound
from billfold.invoicing.adjustments import record_dispute, record_refund
from billfold.invoicing.collection import record_outcome
from billfold.invoicing.models import Invoice
from billfold.invoicing.service import get_invoice
from billfold.payments.charging import outcome_of
from billfold.payments.payment_methods import StripePaymentMethods
from billfold.payments.stripe_customers import upstream_error
from billfold.purchases.service import complete_purchase, purchase_of_invoice
from billfold.storage.table import Table
from billfold.webhooks.receiving import event_object_id

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebhookContext:
    """What processing an event needs."""

    table: Table
    stripe: stripe.StripeClient
    now: datetime
    dunning: tuple[int, ...]


def _intent(context: WebhookContext, intent_id: str) -> stripe.PaymentIntent:
    try:
        return context.stripe.v1.payment_intents.retrieve(intent_id)
    except stripe.StripeError as error:
        raise upstream_error("read the payment", error) from error


def _invoice_of(intent: stripe.PaymentIntent) -> tuple[str, str] | None:
    metadata: dict[str, Any] = intent.to_dict().get("metadata") or {}
    invoice_id = str(metadata.get("billfold_invoice_id") or "")
    customer_id = str(metadata.get("billfold_customer_id") or "")
    return (customer_id, invoice_id) if invoice_id and customer_id else None


def _payment_intent_changed(context: WebhookContext, data: dict[str, Any]) -> None:
    intent = _intent(context, str(data["id"]))
    owner = _invoice_of(intent)
    if owner is None:
        return
    try:
        invoice = record_outcome(
            context.table, owner[0], owner[1], outcome_of(intent), context.now, context.dunning
        )
    except NotFound:
        logger.info("payment for an unknown invoice ignored", extra={"invoice_id": owner[1]})
        return
    purchase = purchase_of_invoice(context.table, invoice)
    if purchase is not None:
        complete_purchase(context.table, purchase, invoice, context.now)


def _cards_changed(context: WebhookContext, data: dict[str, Any]) -> None:
    customer = data.get("customer")
    if not isinstance(customer, str):
        return  # a detached card names no customer any more: the next charge looks again
    if not is_billfold_customer(context.table, customer):
        return
    StripePaymentMethods(context.stripe).ensure_default(customer)


def _charge(context: WebhookContext, charge_id: str) -> stripe.Charge:
    try:
        return context.stripe.v1.charges.retrieve(charge_id)
    except stripe.StripeError as error:
        raise upstream_error("read the charge", error) from error


def _invoice_of_charge(context: WebhookContext, charge: stripe.Charge) -> Invoice | None:
    intent_id = charge.payment_intent
    if not isinstance(intent_id, str):
        return None
    owner = _invoice_of(_intent(context, intent_id))
    if owner is None:
        return None
    try:
        return get_invoice(context.table, owner[0], owner[1], consistent=True)
    except NotFound:
        return None


def _charge_refunded(context: WebhookContext, data: dict[str, Any]) -> None:
    """Record how much of the invoice's charge is refunded, as Stripe says now."""
    charge = _charge(context, str(data["id"]))
    invoice = _invoice_of_charge(context, charge)
    if invoice is not None:
        record_refund(context.table, invoice, int(charge.amount_refunded or 0), context.now)


def _dispute(context: WebhookContext, dispute_id: str) -> stripe.Dispute | None:
    """The dispute as Stripe has it, or None when Stripe knows no such dispute."""
    try:
        return context.stripe.v1.disputes.retrieve(dispute_id)
    except stripe.StripeError as error:
        if error.http_status == 404:
            return None
        raise upstream_error("read the dispute", error) from error


def _dispute_created(context: WebhookContext, data: dict[str, Any]) -> None:
    """Flag the invoice whose charge the customer disputes (the dispute is handled in Stripe),
    as Stripe says: the dispute is read from Stripe, never taken from the event's body."""
    dispute = _dispute(context, str(data["id"]))
    if dispute is None:
        logger.warning("dispute unknown to Stripe ignored", extra={"dispute_id": data["id"]})
        return
    charge = dispute.charge
    charge_id = charge if isinstance(charge, str) else getattr(charge, "id", None)
    if not isinstance(charge_id, str):
        return
    invoice = _invoice_of_charge(context, _charge(context, charge_id))
    if invoice is not None:
        record_dispute(context.table, invoice, context.now)


def _nothing_to_do(context: WebhookContext, data: dict[str, Any]) -> None:
    """customer.updated: billfold owns a customer's name and email, and reads the default card
    from Stripe each time it charges, so an update in Stripe needs nothing here."""


HANDLERS: dict[str, Callable[[WebhookContext, dict[str, Any]], None]] = {
    "payment_intent.succeeded": _payment_intent_changed,
    "payment_intent.payment_failed": _payment_intent_changed,
    "payment_intent.requires_action": _payment_intent_changed,
    "setup_intent.succeeded": _cards_changed,
    "payment_method.attached": _cards_changed,
    "payment_method.detached": _cards_changed,
    "charge.refunded": _charge_refunded,
    "charge.dispute.created": _dispute_created,
    "customer.updated": _nothing_to_do,
}
"""The event types billfold handles."""


def process_event(context: WebhookContext, event: dict[str, Any]) -> bool:
    """Handle one event; False when its type is not one billfold handles, or when it names no
    object (dropped, never retried: no retry could make it whole)."""
    handler = HANDLERS.get(str(event.get("type")))
    if handler is None or event_object_id(event) is None:
        return False
    handler(context, event["data"]["object"])
    return True
