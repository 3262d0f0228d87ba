"""Prepaid credits: grants, the ledger, and the requests that move them.

Credits are whole numbers (integers, never floats): a seller who needs finer steps defines a
smaller credit (1 credit = 1/1000 of an "AI dollar") and prices features in it.
"""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StrictBool, StrictInt, StringConstraints

from billfold.identifiers import CatalogId, IdempotencyKey
from billfold.models import ApiModel, RequestModel

CreditAmount = Annotated[StrictInt, Field(ge=1, le=10**12)]
Priority = Annotated[StrictInt, Field(ge=0, le=100)]
GrantSource = Literal["promotional", "recurring", "purchased", "refund"]
"""promotional: granted by the seller's server. recurring: the plan's allowance for a period.
purchased: a top-up, counted once its payment succeeded. refund: credits a refunded consume
gave back to grants used up since."""
RECURRING_PRIORITY = 10
"""A plan's allowance is drawn before other grants of the same expiry."""
PROMOTIONAL_PRIORITY = 50
PURCHASED_PRIORITY = 90
"""Credits the customer paid for are drawn last."""
EntryKind = Literal["grant", "consume", "expire", "void", "refund"]
Reference = Annotated[str, StringConstraints(max_length=200)]


class GrantCreate(RequestModel):
    """A promotional grant, made by the seller's server: `amount` credits of a type, drawn in
    `priority` order (lower first), until `expiresAt` (none: never)."""

    credit_type_id: CatalogId
    amount: CreditAmount
    priority: Priority = PROMOTIONAL_PRIORITY
    expires_at: AwareDatetime | None = None
    reference: Reference = Field(default="", description="why: shown in the ledger")
    idempotency_key: IdempotencyKey


class ConsumeCredits(RequestModel):
    """Draw `amount` credits, all or nothing: refused (422) when the balance is short."""

    amount: CreditAmount
    reference: Reference = Field(default="", description="what used them: shown in the ledger")
    idempotency_key: IdempotencyKey


class RefundRequest(RequestModel):
    """Give back the credits one consume drew (`entryId`: its ledger entry)."""

    entry_id: Annotated[str, StringConstraints(pattern=r"^cle_[0-9a-f]{32}$")]


class Grant(ApiModel):
    """Credits granted once, and what is left of them."""

    id: str
    source: GrantSource
    amount: int
    remaining: int
    priority: int
    expires_at: datetime | None = None
    granted_at: datetime
    reference: str = ""


class Draw(ApiModel):
    """What one entry took from (or gave back to) one grant; a consume also notes the grant's
    priority and expiry, so a refund can give back to a grant used up since."""

    grant_id: str
    amount: int
    priority: int | None = None
    expires_at: datetime | None = None


class LedgerEntry(ApiModel):
    """One move of a credit balance, never changed once written: `amount` added (positive) or
    taken (negative), the balance after it, and the grants it moved."""

    id: str
    customer_id: str
    credit_type_id: str
    kind: EntryKind
    amount: int
    balance_after: int
    draws: list[Draw]
    reference: str = ""
    created_at: datetime


class AutoRechargeSettings(RequestModel):
    """Buy `packId` whenever the balance falls below `threshold`: at most `maxPerMonth` times
    a calendar month (UTC), and never past `monthlySpendCap` (minor units of the purchase's
    currency) when one is set."""

    enabled: StrictBool = True
    threshold: CreditAmount
    pack_id: CatalogId
    max_per_month: Annotated[StrictInt, Field(ge=1, le=100)] = 5
    monthly_spend_cap: Annotated[StrictInt, Field(ge=1, le=10**12)] | None = None


class AutoRecharge(ApiModel):
    """Auto-recharge as configured, and what it did this month. `due`: the balance fell below
    the threshold and the billing run will buy a pack. A declined charge switches it off
    (`enabled: false`, `disabledReason` saying why)."""

    enabled: bool
    threshold: int
    pack_id: str
    max_per_month: int
    monthly_spend_cap: int | None = None
    month: str | None = None
    purchases_this_month: int = 0
    spent_this_month: int = 0
    due: bool = False
    disabled_reason: str | None = None

    def in_month(self, now: datetime) -> "AutoRecharge":
        """The state with its monthly counts restarted when a new month (UTC) began."""
        month = now.strftime("%Y-%m")
        if self.month == month:
            return self
        return self.model_copy(
            update={"month": month, "purchases_this_month": 0, "spent_this_month": 0}
        )

    def counted(self, amount: int, now: datetime) -> "AutoRecharge":
        """The state after a purchase for `amount` was credited."""
        current = self.in_month(now)
        return current.model_copy(
            update={
                "purchases_this_month": current.purchases_this_month + 1,
                "spent_this_month": current.spent_this_month + amount,
            }
        )


class CreditBalance(ApiModel):
    """A customer's balance of one credit type at `asOf`, with the grants it is drawn from,
    in the order they are drawn (priority, then soonest expiry, then oldest)."""

    customer_id: str
    credit_type_id: str
    balance: int
    grants: list[Grant]
    auto_recharge: AutoRecharge | None = None
    as_of: datetime
