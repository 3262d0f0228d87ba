"""Subscription documents and the requests that create them."""

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, ConfigDict, Field, StrictInt, computed_field, model_validator

from billfold.billing.discounts import discount_amount
from billfold.billing.lines import BillingLine
from billfold.catalog.coupons import Duration
from billfold.catalog.price_models import PricedQuantity, PriceModel, per_unit, price_quantity
from billfold.catalog.promotion_codes import PromotionCodeText
from billfold.catalog.terms import BillingPeriod, Discount
from billfold.entitlements.models import SubscriptionStatus
from billfold.grants import SellerOnly
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
    """A new subscription. The plan's trial is given once per customer; the seller may set
    `trialDays` instead, backdate the start (`startAt`) and give a coupon (`couponId`). A
    customer may give a `promotionCode` (the seller may too; not with `couponId`)."""

    plan_id: CatalogId
    billing_period: BillingPeriod = "monthly"
    currency: Currency
    addons: AddonList = Field(default_factory=list)
    trial_days: Annotated[StrictInt | None, Field(ge=0, le=730), SellerOnly] = None
    start_at: Annotated[datetime | None, SellerOnly] = None
    coupon_id: Annotated[CatalogId | None, SellerOnly] = None
    promotion_code: PromotionCodeText | None = None

    @model_validator(mode="after")
    def _one_discount(self) -> Self:
        if self.coupon_id is not None and self.promotion_code is not None:
            raise ValueError("give couponId or promotionCode, not both")
        return self


class SubscriptionChange(RequestModel):
    """The subscription as it should be: a field left out keeps its value; `addons` is the
    whole set wanted (an empty list removes every add-on); `promotionCode` puts the code's
    coupon on the subscription from its next invoice on. At least one field is needed."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    plan_id: CatalogId | None = None
    billing_period: BillingPeriod | None = None
    addons: AddonList | None = None
    promotion_code: PromotionCodeText | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> Self:
        if not any(getattr(self, name) is not None for name in type(self).model_fields):
            raise ValueError("name at least one of planId, billingPeriod, addons and promotionCode")
        return self


class SubscribedAddon(ApiModel):
    """An add-on held: the version sold, how many, and its price for the period: `unitAmount`
    per unit, or the `priceModel` sold (tiers, packages; `unitAmount` is then the package's
    price, or 0 under tiers). `amount` is what the quantity costs for one period."""

    addon_id: str
    version: int
    name: str
    quantity: int
    unit_amount: int
    price_model: PriceModel | None = None

    @property
    def pricing(self) -> PriceModel:
        """How the quantity is priced."""
        return self.price_model or per_unit(self.unit_amount)

    @property
    def priced(self) -> PricedQuantity:
        """What the quantity costs for one period, tier by tier."""
        return price_quantity(self.pricing, self.quantity)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def amount(self) -> int:
        """What the quantity costs for one period."""
        return self.priced.amount


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
        return self.price + sum(a.amount for a in self.addons)


class AppliedCoupon(ApiModel):
    """A coupon on a subscription: its discount and how many more billed periods it covers
    (null: forever)."""

    discount: Discount
    duration: Duration
    periods_left: int | None
    promotion_code: str | None = None
    """The promotion code that put it there, if a code did."""


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
        return self.price + sum(a.amount for a in self.addons)


class NextInvoice(ApiModel):
    """What the customer's next invoice will ask for, and when: `subtotal` (the period's
    price), less the coupon's `discount`, less `creditApplied` from the credit balance, leaves
    `amount` to pay."""

    amount: int
    subtotal: int
    discount: int
    credit_applied: int
    currency: str
    date: datetime


class SubscriptionView(Subscription):
    """A subscription as the API shows it, with its next invoice (null when none is due)."""

    next_invoice: NextInvoice | None


BillingReason = Literal[
    "subscription_created", "trial_ended", "renewal", "change", "period_ended", "credit_purchase"
]
"""period_ended: a last period's overage, billed when the subscription ends. credit_purchase:
a pack of prepaid credits (no subscription)."""


class OverLimit(ApiModel):
    """A metered feature whose usage this period already passes the limit a change gives."""

    feature_id: str
    usage: int
    limit: int


ChangeTiming = Literal["now", "period_end", "nothing"]
"""now: applied at once (prorated). period_end: scheduled for the end of the current period.
nothing: the subscription already is what was asked for."""


class ChangePreview(ApiModel):
    """What a change does: the lines billed now (credits negative), what is due now after the
    customer's credit balance (`creditApplied`) or added to it (`credit`), and what the next
    renewal asks for and when (null: none)."""

    timing: ChangeTiming
    effective_at: datetime
    currency: str
    lines: list[BillingLine]
    due_now: int
    credit_applied: int
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
    subscription_id: str | None = None
    reason: BillingReason
    currency: str
    lines: list[BillingLine]
    discount: Discount | None = None
    """The subscription's coupon, when it applies to this record's charges."""
    created_at: datetime

    @property
    def net_due(self) -> int:
        """What the record's invoice will total: its lines less the discount (negative for a
        credit)."""
        amounts = [line.amount for line in self.lines]
        return sum(amounts) - (discount_amount(amounts, self.discount) if self.discount else 0)
