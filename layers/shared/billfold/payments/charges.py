"""A charge's request and outcome, and what charges them: plain values, no Stripe, so that
invoicing can collect payments without importing Stripe's SDK (`charging` is the adapter)."""

from dataclasses import dataclass
from typing import Literal, Protocol

ChargeStatus = Literal["succeeded", "failed", "requires_action", "processing"]


@dataclass(frozen=True)
class ChargeOutcome:
    """What Stripe said of one charge attempt."""

    status: ChargeStatus
    payment_intent_id: str | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    next_action_url: str | None = None


@dataclass(frozen=True)
class ChargeRequest:
    """One attempt at charging an invoice's amount due."""

    invoice_id: str
    customer_id: str
    stripe_customer_id: str
    amount: int
    currency: str
    attempt: int


class Charger(Protocol):
    """Charges an invoice's amount due (`billfold.payments.charging.StripeCharges`)."""

    def charge(self, request: ChargeRequest) -> ChargeOutcome:
        """Attempt the charge; the outcome says how it went (never raises for a decline)."""
        ...
