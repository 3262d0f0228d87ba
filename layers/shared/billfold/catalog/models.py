"""The catalog's documents and the requests that create and change them."""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Self

from pydantic import Field, StrictBool, StrictInt, model_validator

from billfold.catalog.price_models import PriceModel
from billfold.catalog.terms import (
    BillingPeriod,
    CreditCost,
    Description,
    DowngradeTiming,
    Enforcement,
    FeatureType,
    FeatureUnit,
    Name,
    OveragePrice,
    Quantity,
    ResetAnchor,
    ResetPeriod,
    Status,
)
from billfold.identifiers import CatalogId, Metadata
from billfold.models import ApiModel, RequestModel, ValueModel
from billfold.money import Currency, MinorUnits


class FeatureCreate(RequestModel):
    """A new feature."""

    id: CatalogId
    name: Name
    description: Description = ""
    type: FeatureType
    unit: FeatureUnit | None = None
    metadata: Metadata = Field(default_factory=dict)

    @model_validator(mode="after")
    def _unit_fits_type(self) -> Self:
        if self.type == "metered" and self.unit is None:
            raise ValueError("a metered feature needs a unit")
        if self.type == "boolean" and self.unit is not None:
            raise ValueError("a boolean feature has no unit")
        return self


class FeatureUpdate(RequestModel):
    """Changes to a feature; its id and type never change."""

    name: Name | None = None
    description: Description | None = None
    unit: FeatureUnit | None = None
    metadata: Metadata | None = None


class Feature(ApiModel):
    """A capability the user's product gates or meters."""

    id: str
    name: str
    description: str
    type: FeatureType
    unit: FeatureUnit | None = None
    metadata: dict[str, str]
    status: Status = "active"
    created_at: datetime
    updated_at: datetime


class Price(ValueModel):
    """What one billing period costs in one currency, in minor units."""

    billing_period: BillingPeriod
    currency: Currency
    amount: MinorUnits


class AddonPrice(PriceModel):
    """What a quantity of an add-on costs for one billing period in one currency, in advance:
    `amount` per unit, graduated or volume `tiers`, or `amount` per started package."""

    billing_period: BillingPeriod
    currency: Currency


class CreditAllowance(ValueModel):
    """Credits a plan grants every billing period: they expire when the period ends, or, with
    `rolloverCap`, what is left rolls over into the next period, up to that many credits."""

    credit_type_id: CatalogId
    amount: Annotated[StrictInt, Field(ge=1, le=10**12)]
    rollover_cap: Annotated[StrictInt, Field(ge=0, le=10**12)] | None = None


class Entitlement(ValueModel):
    """What a plan or add-on grants of one feature.

    boolean features: only `featureId`. metered: `limit` or `unlimited`, with how the counter
    resets and whether the limit is hard (refuse) or soft (allow, flag, bill overage).
    numeric: `value` or `unlimited`.
    """

    feature_id: CatalogId
    unlimited: StrictBool = False
    limit: Quantity | None = None
    value: Quantity | None = None
    reset_period: ResetPeriod | None = None
    reset_anchor: ResetAnchor | None = None
    enforcement: Enforcement | None = None
    overage_prices: Annotated[list[OveragePrice], Field(max_length=50)] = Field(
        default_factory=list,
        description="metered, soft limit: price per unit past the limit, billed at renewal",
    )
    credits: CreditCost | None = Field(
        default=None, description="metered: each unit used draws this many prepaid credits"
    )


def _unique(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} '{value}' is listed twice")
        seen.add(value)


class _Sellable(RequestModel):
    """What plans and add-ons have in common: prices and entitlements."""

    prices: Sequence[Price | AddonPrice] = Field(default_factory=list, max_length=100)
    entitlements: list[Entitlement] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def _no_duplicates(self) -> Self:
        _unique([f"{p.billing_period} {p.currency}" for p in self.prices], "price")
        _unique([e.feature_id for e in self.entitlements], "entitlement for feature")
        return self


class PlanCreate(_Sellable):
    """A new plan, published as version 1. No prices means free in every currency."""

    prices: list[Price] = Field(default_factory=list, max_length=100)
    id: CatalogId
    name: Name
    description: Description = ""
    trial_days: Annotated[StrictInt, Field(ge=0, le=730)] = 0
    parent_plan_id: CatalogId | None = None
    fallback_plan_id: CatalogId | None = Field(
        default=None,
        description="the free plan a canceled subscription, or a trial ending without a "
        "payment method, moves to (none: it is canceled)",
    )
    downgrade_timing: DowngradeTiming = "period_end"
    reset_usage_on_change: StrictBool = Field(
        default=False, description="usage counters restart when a subscription moves to this plan"
    )
    display_order: Annotated[StrictInt, Field(ge=0, le=10_000)] = 0
    public: StrictBool = Field(
        default=False, description="shown in the pricing table and the paywall (publishable keys)"
    )
    credit_allowances: Annotated[list[CreditAllowance], Field(max_length=20)] = Field(
        default_factory=list, description="prepaid credits granted every billing period"
    )
    metadata: Metadata = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_allowance_per_credit_type(self) -> Self:
        _unique([a.credit_type_id for a in self.credit_allowances], "allowance of credit type")
        return self


class PlanUpdate(RequestModel):
    """Changes to a plan: any real change publishes a new version."""

    name: Name | None = None
    description: Description | None = None
    prices: Annotated[list[Price], Field(max_length=100)] | None = None
    entitlements: Annotated[list[Entitlement], Field(max_length=200)] | None = None
    trial_days: Annotated[StrictInt, Field(ge=0, le=730)] | None = None
    parent_plan_id: CatalogId | None = None
    fallback_plan_id: CatalogId | None = None
    downgrade_timing: DowngradeTiming | None = None
    reset_usage_on_change: StrictBool | None = None
    display_order: Annotated[StrictInt, Field(ge=0, le=10_000)] | None = None
    public: StrictBool | None = None
    credit_allowances: Annotated[list[CreditAllowance], Field(max_length=20)] | None = None
    metadata: Metadata | None = None


class AddonCreate(_Sellable):
    """A new add-on, published as version 1. Its entitlements are per unit of quantity."""

    prices: list[AddonPrice] = Field(default_factory=list, max_length=100)
    id: CatalogId
    name: Name
    description: Description = ""
    max_quantity: Annotated[StrictInt, Field(ge=1, le=10_000)] = 1
    plan_ids: Annotated[list[CatalogId], Field(max_length=200)] = Field(
        default_factory=list, description="the plans that accept this add-on"
    )
    display_order: Annotated[StrictInt, Field(ge=0, le=10_000)] = 0
    public: StrictBool = Field(
        default=False, description="shown in the pricing table and the paywall (publishable keys)"
    )
    metadata: Metadata = Field(default_factory=dict)


class AddonUpdate(RequestModel):
    """Changes to an add-on: any real change publishes a new version."""

    name: Name | None = None
    description: Description | None = None
    prices: Annotated[list[AddonPrice], Field(max_length=100)] | None = None
    entitlements: Annotated[list[Entitlement], Field(max_length=200)] | None = None
    max_quantity: Annotated[StrictInt, Field(ge=1, le=10_000)] | None = None
    plan_ids: Annotated[list[CatalogId], Field(max_length=200)] | None = None
    display_order: Annotated[StrictInt, Field(ge=0, le=10_000)] | None = None
    public: StrictBool | None = None
    metadata: Metadata | None = None


class _Published(ApiModel):
    """A published version of a plan or add-on."""

    id: str
    version: int
    status: Status
    name: str
    description: str
    entitlements: list[Entitlement]
    display_order: int
    public: bool = False
    metadata: dict[str, str]
    created_at: datetime
    published_at: datetime


class Plan(_Published):
    """A plan version. `effectiveEntitlements` folds in the parent plan's, frozen at publishing."""

    prices: list[Price]
    trial_days: int
    parent_plan_id: str | None = None
    fallback_plan_id: str | None = None
    downgrade_timing: DowngradeTiming = "period_end"
    reset_usage_on_change: bool = False
    credit_allowances: list[CreditAllowance] = Field(default_factory=list)
    effective_entitlements: list[Entitlement]


class Addon(_Published):
    """An add-on version."""

    prices: list[AddonPrice]
    max_quantity: int
    plan_ids: list[str]
