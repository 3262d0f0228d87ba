"""The entitlements documents: promotions, and the materialized item a check reads in one go.

`MaterializedEntitlements` is stored as one DynamoDB item per customer and rewritten in the same
transaction as every subscription change, so deciding a check never touches the catalog.
"""

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import Field, StrictBool, StrictInt, field_validator, model_validator

from billfold.catalog.terms import (
    CreditCost,
    Enforcement,
    FeatureType,
    FeatureUnit,
    OveragePrice,
    Quantity,
    ResetAnchor,
    ResetPeriod,
)
from billfold.clock import as_utc
from billfold.models import ApiModel

SubscriptionStatus = Literal["trialing", "active", "past_due", "canceled"]
"""trialing, active and past_due grant access (past_due keeps it while payment is retried)."""

Amount = Annotated[StrictInt, Field(ge=0)]
"""A resolved total: add-on quantities multiply catalog amounts, so no catalog upper bound."""


class Promotion(ApiModel):
    """A feature or an extra amount granted to one customer, until `expiresAt` (exclusive).

    `amount` is extra limit (metered) or extra value (numeric); None is a bare grant: it turns a
    boolean feature on and adds nothing to an amount. `unlimited` lifts any limit instead.
    """

    feature_id: str
    amount: Quantity | None = None
    unlimited: StrictBool = False
    expires_at: datetime | None = None

    @field_validator("expires_at")
    @classmethod
    def _in_utc(cls, moment: datetime | None) -> datetime | None:
        return None if moment is None else as_utc(moment, "expires_at")

    @model_validator(mode="after")
    def _amount_or_unlimited(self) -> Self:
        if self.unlimited and self.amount is not None:
            raise ValueError("a promotion gives either an amount or unlimited, not both")
        return self

    def is_live(self, now: datetime) -> bool:
        """Whether the promotion still counts at `now` (it lapses at its expiry instant)."""
        return self.expires_at is None or as_utc(now, "now") < self.expires_at


class ResolvedEntitlement(ApiModel):
    """What one customer holds of one feature, every source combined (see `resolve`).

    boolean: granted by being present, no amounts. metered: `limit` or `unlimited`, always with a
    reset period, anchor and enforcement. numeric: `value` or `unlimited`. `sources` says where
    it came from: "plan:pro@3", "addon:extra-seats@1x2" (version 1, quantity 2), "promotion".
    """

    feature_id: str
    feature_type: FeatureType
    unit: FeatureUnit | None = None
    unlimited: StrictBool = False
    limit: Amount | None = None
    value: Amount | None = None
    reset_period: ResetPeriod | None = None
    reset_anchor: ResetAnchor | None = None
    enforcement: Enforcement | None = None
    overage_prices: list[OveragePrice] = Field(default_factory=list)
    credits: CreditCost | None = None
    sources: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _fits_type(self) -> Self:
        kind = self.feature_type
        own = {"metered": "limit", "numeric": "value"}.get(kind)
        for name in ("limit", "value"):
            if name != own and getattr(self, name) is not None:
                raise ValueError(f"a {kind} feature has no {name}")
        if own is None and self.unlimited:
            raise ValueError("a boolean feature is granted or not: never unlimited")
        if own is not None and self.unlimited == (getattr(self, own) is not None):
            raise ValueError(f"a {kind} feature has either {own} or unlimited")
        terms = (self.reset_period, self.reset_anchor, self.enforcement)
        if kind == "metered" and None in terms:
            raise ValueError("a metered feature has a reset period, anchor and enforcement")
        if kind != "metered" and terms != (None, None, None):
            raise ValueError("only metered features reset or enforce")
        return self


class MaterializedEntitlements(ApiModel):
    """One customer's entitlements as of `computedAt`: the item an entitlement check reads.

    Without a subscription, the four subscription fields are all null. `refreshAt` is the
    earliest expiry among the promotions counted: from then on the item overstates what the
    customer holds and must be resolved again (`is_stale`).
    """

    customer_id: str
    subscription_status: SubscriptionStatus | None = None
    subscription_anchor: datetime | None = None
    plan_id: str | None = None
    plan_version: int | None = None
    entries: dict[str, ResolvedEntitlement] = Field(default_factory=dict)
    computed_at: datetime
    refresh_at: datetime | None = None
    promotions: list[Promotion] | None = None
    """The promotions it was computed with, so a rewrite needs no other read (None: an item
    written before they were kept here, or one without a subscription)."""

    @field_validator("subscription_anchor", "computed_at", "refresh_at")
    @classmethod
    def _in_utc(cls, moment: datetime | None) -> datetime | None:
        return None if moment is None else as_utc(moment)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        subscription = (
            self.subscription_status,
            self.subscription_anchor,
            self.plan_id,
            self.plan_version,
        )
        if None in subscription and subscription != (None, None, None, None):
            raise ValueError("status, anchor, plan id and plan version are given together or none")
        for key, entry in self.entries.items():
            if key != entry.feature_id:
                raise ValueError(f"entry '{key}' holds feature '{entry.feature_id}'")
        return self

    @property
    def has_subscription(self) -> bool:
        """Whether the customer has a subscription at all (canceled ones included)."""
        return self.plan_id is not None

    def is_stale(self, now: datetime) -> bool:
        """Whether a promotion counted here has expired by `now`: resolve the item again."""
        return self.refresh_at is not None and as_utc(now, "now") >= self.refresh_at
