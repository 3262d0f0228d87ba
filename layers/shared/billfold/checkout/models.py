"""Checkout sessions: the seller's terms, what the visitor is shown and what completing gives."""

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import Field, StrictBool, StrictInt, model_validator

from billfold.billing.lines import BillingLine
from billfold.catalog.promotion_codes import PromotionCodeText
from billfold.catalog.terms import BillingPeriod
from billfold.customers.models import CustomerName, Email
from billfold.identifiers import CatalogId, CustomerId, IdempotencyKey
from billfold.models import ApiModel, RequestModel
from billfold.money import Currency
from billfold.subscriptions.models import AddonList, AddonQuantity, SubscriptionView

CheckoutStatus = Literal["open", "complete"]
SessionMinutes = Annotated[StrictInt, Field(ge=5, le=24 * 60)]


class NewCustomer(RequestModel):
    """Who a checkout for a new customer creates (under the session's `customerId`)."""

    email: Email
    name: CustomerName


class CheckoutSessionCreate(RequestModel):
    """A checkout the seller's backend opens: for an existing customer, or a new one described
    in `customer`. The plan, period, currency, add-ons and trial are fixed here; the visitor may
    only enter a promotion code, and only when `allowPromotionCodes` (one of
    `allowedPromotionCodes`, when given)."""

    customer_id: CustomerId
    customer: NewCustomer | None = None
    plan_id: CatalogId
    billing_period: BillingPeriod = "monthly"
    currency: Currency
    addons: AddonList = Field(default_factory=list)
    trial_days: Annotated[StrictInt | None, Field(ge=0, le=730)] = None
    """None: the plan's trial, once per customer."""
    allow_promotion_codes: StrictBool = False
    allowed_promotion_codes: Annotated[list[PromotionCodeText], Field(max_length=100)] | None = None
    """With `allowPromotionCodes`: only these codes (none given: any active code)."""
    expires_in_minutes: SessionMinutes = 60
    idempotency_key: IdempotencyKey | None = None
    """The same key again answers the same session."""

    @model_validator(mode="after")
    def _codes_allowed(self) -> Self:
        if self.allowed_promotion_codes and not self.allow_promotion_codes:
            raise ValueError("allowedPromotionCodes needs allowPromotionCodes: true")
        return self


class CheckoutSession(ApiModel):
    """A checkout session as stored."""

    id: str
    customer_id: str
    plan_id: str
    billing_period: BillingPeriod
    currency: str
    addons: list[AddonQuantity]
    trial_days: int | None = None
    allow_promotion_codes: bool
    allowed_promotion_codes: list[str] | None = None
    status: CheckoutStatus
    subscription_id: str | None = None
    promotion_code: str | None = None
    """The code the completed checkout redeemed."""
    declines: int = 0
    """Cards the bank declined in this session (it takes no more after a few)."""
    created_at: datetime
    expires_at: datetime
    completed_at: datetime | None = None


class OpenedCheckout(CheckoutSession):
    """A new session, with the token for the visitor's browser (answered only here)."""

    token: str
    url: str
    """The checkout page with the token in its fragment (never sent to a server)."""


class CheckoutQuote(ApiModel):
    """What the visitor is shown before paying: today's amount, and what the first charge is
    (after the trial, when there is one) before and after the promotion code's discount."""

    currency: str
    billing_period: BillingPeriod
    lines: list[BillingLine]
    """One period's charges: the plan and each add-on (with their tiers)."""
    subtotal: int
    discount: int
    """What the promotion code's coupon takes off the first charge."""
    total: int
    """The first charge: subtotal less discount."""
    due_today: int
    """`total`, or 0 in a trial."""
    needs_payment_method: bool
    """Whether any charge will ever be made (then a card is collected now): false only when
    nothing is priced, or a forever coupon takes it all off."""
    trial_days: int
    trial_end: datetime | None = None
    first_charge_at: datetime
    promotion_code: str | None = None
    coupon_name: str | None = None


class CheckoutView(ApiModel):
    """A session as its checkout page shows it."""

    session: CheckoutSession
    plan_name: str
    quote: CheckoutQuote


class CheckoutComplete(RequestModel):
    """The visitor's confirmation: the SetupIntent Stripe.js confirmed (none when nothing is
    ever charged), the promotion code, if the session allows one, and the amount due today the
    visitor was shown (409 `quote_changed` if it is no longer what completing charges)."""

    setup_intent_id: Annotated[str, Field(pattern=r"^seti_[A-Za-z0-9]{1,64}$")] | None = None
    promotion_code: PromotionCodeText | None = None
    expected_due_today: Annotated[StrictInt, Field(ge=0)] | None = None


class CompletedCheckout(ApiModel):
    """The session once complete, and the subscription it started."""

    session: CheckoutSession
    subscription: SubscriptionView
    portal_url: str | None = None
    """The customer's portal, opened with a fresh portal session: where checkout leads."""
