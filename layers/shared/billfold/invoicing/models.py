"""Invoices: what a customer was billed, line by line, in integer minor units."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from billfold.catalog.price_models import TierCharge
from billfold.models import ApiModel

InvoiceStatus = Literal["open", "paid", "uncollectible", "void"]
"""open: finalized and owed. paid: settled (a zero amount due is paid at once, without a
charge). uncollectible: dunning gave up. void: canceled by an admin while open. Invoices are
drafted and finalized in one transaction, so no invoice is ever stored as a draft."""

LineKind = Literal["charge", "credit", "discount"]
PaymentStatus = Literal["none", "succeeded", "failed", "requires_action"]


class InvoiceLine(ApiModel):
    """One line: a charge (positive), a credit or a discount (negative), for a period."""

    kind: LineKind
    description: str
    quantity: int
    unit_amount: int
    amount: int
    tiers: list[TierCharge] = Field(default_factory=list)
    """How tiers priced the quantity for a whole period (none for a per-unit price)."""
    period_start: datetime | None = None
    period_end: datetime | None = None


class Party(ApiModel):
    """The seller or the customer as printed on the invoice."""

    name: str
    email: str
    address: list[str] = Field(default_factory=list)


class Payment(ApiModel):
    """The latest charge of an invoice: its Stripe PaymentIntent, outcome and next retry."""

    status: PaymentStatus = "none"
    attempts: int = 0
    payment_intent_id: str | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    next_action_url: str | None = None
    next_attempt_at: datetime | None = None


class Invoice(ApiModel):
    """A finalized invoice.

    `subtotal` is the sum of charge and credit lines; `discount` (>= 0) what coupons took off;
    `total` = subtotal - discount. A negative total is never charged: it becomes customer
    credit (`creditAdded`) and the amount due is 0. Otherwise `creditApplied` is taken from
    the customer's credit balance and `amountDue` = total - creditApplied.
    """

    id: str
    number: str
    customer_id: str
    subscription_id: str | None = None
    billing_record_id: str | None = None
    reason: str
    status: InvoiceStatus
    currency: str
    seller: Party
    customer: Party
    lines: list[InvoiceLine]
    subtotal: int
    discount: int
    total: int
    credit_applied: int
    credit_added: int
    amount_due: int
    amount_paid: int
    amount_refunded: int = 0
    disputed: bool = False
    created_at: datetime
    paid_at: datetime | None = None
    voided_at: datetime | None = None
    payment: Payment = Field(default_factory=Payment)
    revision: int = 1
    """Bumped by every change (payment, void); each change is conditional on the one read."""
