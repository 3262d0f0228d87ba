"""Credit purchases: a pack of prepaid credits bought, invoiced and charged at once."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StrictInt

from billfold.identifiers import CatalogId, IdempotencyKey
from billfold.models import ApiModel, RequestModel
from billfold.money import Currency

PurchaseStatus = Literal["pending", "granted", "failed"]
"""pending: invoiced, waiting for the payment (or the customer's authentication). granted: paid
and credited. failed: the charge was declined; the invoice is voided and nothing credited."""
PurchaseSource = Literal["customer", "auto_recharge"]


class CreditPurchaseCreate(RequestModel):
    """Buy `quantity` packs of a credit type, paid at once with the saved card, in `currency`
    (default: the subscription's)."""

    credit_type_id: CatalogId
    pack_id: CatalogId
    quantity: Annotated[StrictInt, Field(ge=1, le=100)] = 1
    currency: Currency | None = None
    idempotency_key: IdempotencyKey


class CreditPurchase(ApiModel):
    """A purchase of credits and how far it got: its invoice, and why a charge failed."""

    id: str
    customer_id: str
    credit_type_id: str
    pack_id: str
    quantity: int
    credits: int
    amount: int
    currency: str
    source: PurchaseSource
    status: PurchaseStatus
    billing_record_id: str
    invoice_id: str | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    next_action_url: str | None = None
    created_at: datetime
    updated_at: datetime


class AutoRechargeFailure(ApiModel):
    """`data` of `credits.auto_recharge_failed`: why auto-recharge was switched off, and the
    purchase that failed (none when the pack could not be bought at all)."""

    credit_type_id: str
    reason: str
    purchase: CreditPurchase | None = None
