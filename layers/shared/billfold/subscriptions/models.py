"""Subscription documents and the requests that create them."""

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, StrictInt, model_validator

from billfold.billing.discounts import Discount
from billfold.billing.proration import ProrationLine
from billfold.catalog.coupons import Duration
from billfold.catalog.models import BillingPeriod
from billfold.entitlements.models import SubscriptionStatus
from billfold.identifiers import CatalogId
from billfold.models import ApiModel, RequestModel, ValueModel
from billfold.money import Currency

AddonQuantityValue = Annotated[StrictInt, Field(ge=1, le=10_000)]


class AddonQuantity(ValueModel):
    """An add-on and how many of it."""

    addon_id: CatalogId
    quantity: AddonQuantityValue = 1


def _once_each(addons: list[AddonQuantity]) -> list[AddonQuantity]:
    seen: set[str] = set()
    for addon in addons:
        if addon.addon_id in seen:
            raise ValueError(f"add-on '{addon.addon_id}' is listed twice")
        seen.add(addon.addon_id)
    return addons


AddonList = Annotated[list[AddonQuantity], Field(max_length=50), AfterValidator(_once_each)]


class SubscriptionCreate(RequestModel):
    """A new subscription. `trialDays` overrides the plan's trial; `startAt` may backdate it;
    `couponId` discounts its invoices for the coupon's duration."""

    plan_id: CatalogId
    billing_period: BillingPeriod = "monthly"
    currency: Currency
    addons: AddonList = Field(default_factory=list)
    trial_days: Annotated[StrictInt, Field(ge=0, le=730)] | None = None
    start_at: datetime | None = None
    coupon_id: CatalogId | None = None


class SubscriptionChange(RequestModel):
    """The subscription as it should be: a field left out keeps its value; `addons` is the
    whole set wanted (an empty list removes every add-on)."""

    plan_id: CatalogId | None = None
    billing_period: BillingPeriod | None = None
    addons: AddonList | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> Self:
        if self.plan_id is None and self.billing_period is None and self.addons is None:
            raise ValueError("name at least one of planId, billingPeriod and addons")
        return self


class SubscribedAddon(ApiModel):
    """An add-on held: the version sold, how many, and its price per unit for the period."""

    addon_id: str
    version: int
    name: str
    quantity: int
    unit_amount: int


class ScheduledChange(ApiModel):
    """What the subscription becomes at `effectiveAt` (a downgrade at period end), priced when
    it was asked for."""

    effective_at: datetime
    plan_id: str
    plan_version: int
    plan_name: str
    billing_period: BillingPeriod
    price: int
    addons: list[SubscribedAddon]
    reset_usage: bool = False

    @property
    def period_total(self) -> int:
        """What one full billing period will cost once the change applies."""
        return self.price + sum(a.unit_amount * a.quantity for a in self.addons)


class AppliedCoupon(ApiModel):
    """A coupon on a subscription: its discount and how many more billed periods it covers
    (null: forever)."""

    discount: Discount
    duration: Duration
    periods_left: int | None


class Subscription(ApiModel):
    """A customer's subscription: the plan version and add-ons sold, at the prices sold."""

    id: str
    customer_id: str
    status: SubscriptionStatus
    plan_id: str
    plan_version: int
    plan_name: str
    billing_period: BillingPeriod
    currency: str
    price: int
    """The plan's price for one billing period, in minor units."""
    addons: list[SubscribedAddon]
    billing_anchor: datetime
    usage_anchor: datetime
    """Where usage periods anchored to the subscription count from: the first billing anchor,
    kept when the cycle restarts, moved only by a change to a plan that resets usage."""
    current_period_start: datetime
    current_period_end: datetime
    trial_end: datetime | None = None
    cancel_at_period_end: bool = False
    canceled_at: datetime | None = None
    scheduled_change: ScheduledChange | None = None
    coupon: AppliedCoupon | None = None
    created_at: datetime
    updated_at: datetime
    revision: int = 1
    """Bumped by every change; each change is conditional on the revision it read."""

    @property
    def period_total(self) -> int:
        """What one full billing period costs: the plan plus every add-on times its quantity."""
        return self.price + sum(a.unit_amount * a.quantity for a in self.addons)


class NextInvoice(ApiModel):
    """What the customer will be billed next, and when."""

    amount: int
    currency: str
    date: datetime


class SubscriptionView(Subscription):
    """A subscription as the API shows it, with its next invoice (null when none is due)."""

    next_invoice: NextInvoice | None


BillingReason = Literal["subscription_created", "trial_ended", "renewal", "change", "period_ended"]
"""period_ended: a last period's overage, billed when the subscription ends."""


class OverLimit(ApiModel):
    """A metered feature whose usage this period already passes the limit a change gives."""

    feature_id: str
    usage: int
    limit: int


ChangeTiming = Literal["now", "period_end", "nothing"]
"""now: applied at once (prorated). period_end: scheduled for the end of the current period.
nothing: the subscription already is what was asked for."""


class ChangePreview(ApiModel):
    """What a change does: the lines billed now (credits negative), what is due now or added to
    the customer's credit balance, and what the next renewal costs and when (null: none)."""

    timing: ChangeTiming
    effective_at: datetime
    currency: str
    lines: list[ProrationLine]
    due_now: int
    credit: int
    next_renewal: NextInvoice | None
    resets_usage: bool
    over_limit: list[OverLimit]


class ChangeResult(ApiModel):
    """An applied change: the subscription after it, and exactly what its preview said."""

    subscription: SubscriptionView
    change: ChangePreview


class BillingRecord(ApiModel):
    """What a transition must bill: the narrow interface between subscriptions and invoicing.

    Every line is a charge (positive) or a credit (negative) in the record's currency, for the
    period it names; invoicing turns one record into one invoice.
    """

    id: str
    customer_id: str
    subscription_id: str
    reason: BillingReason
    currency: str
    lines: list[ProrationLine]
    discount: Discount | None = None
    """The subscription's coupon, when it applies to this record's charges."""
    created_at: datetime
