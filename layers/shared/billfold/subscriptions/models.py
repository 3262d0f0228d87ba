"""Subscription documents and the requests that create them."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StrictInt, field_validator

from billfold.billing.proration import ProrationLine
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


class SubscriptionCreate(RequestModel):
    """A new subscription. `trialDays` overrides the plan's trial; `startAt` may backdate it."""

    plan_id: CatalogId
    billing_period: BillingPeriod = "monthly"
    currency: Currency
    addons: Annotated[list[AddonQuantity], Field(max_length=50)] = Field(default_factory=list)
    trial_days: Annotated[StrictInt, Field(ge=0, le=730)] | None = None
    start_at: datetime | None = None

    @field_validator("addons")
    @classmethod
    def _addons_once_each(cls, addons: list[AddonQuantity]) -> list[AddonQuantity]:
        seen: set[str] = set()
        for addon in addons:
            if addon.addon_id in seen:
                raise ValueError(f"add-on '{addon.addon_id}' is listed twice")
            seen.add(addon.addon_id)
        return addons


class SubscribedAddon(ApiModel):
    """An add-on held: the version sold, how many, and its price per unit for the period."""

    addon_id: str
    version: int
    name: str
    quantity: int
    unit_amount: int


class ScheduledChange(ApiModel):
    """A change that takes effect at `effectiveAt` (a downgrade at period end, say)."""

    effective_at: datetime
    plan_id: str | None = None
    billing_period: BillingPeriod | None = None
    addons: list[AddonQuantity] | None = None


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
    current_period_start: datetime
    current_period_end: datetime
    trial_end: datetime | None = None
    cancel_at_period_end: bool = False
    canceled_at: datetime | None = None
    scheduled_change: ScheduledChange | None = None
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


BillingReason = Literal["subscription_created", "trial_ended", "renewal", "change"]


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
    created_at: datetime
