"""Resolving what a customer holds: plan (parents folded in), add-ons by quantity, promotions.

The combination rules, per feature, over every source that grants it:

- boolean: granted if any source grants it.
- metered and numeric: unlimited if any source is unlimited; otherwise the amounts add
  (`limit` for metered, `value` for numeric), each add-on's multiplied by its quantity.
- reset period, reset anchor and enforcement (metered only) come from the plan's entitlement
  when the plan grants the feature, else from the first add-on that does; a feature only a
  promotion grants resets monthly with the subscription and is enforced hard.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from billfold.catalog.models import Addon, Entitlement, Feature, Plan
from billfold.clock import as_utc
from billfold.entitlements.models import (
    MaterializedEntitlements,
    Promotion,
    ResolvedEntitlement,
    SubscriptionStatus,
)


@dataclass
class _Tally:
    """One feature's grants as they are added up."""

    feature: Feature
    unlimited: bool = False
    amount: int = 0
    terms: Entitlement | None = None
    sources: list[str] = field(default_factory=list)

    def add(self, unlimited: bool, amount: int | None, source: str) -> None:
        self.unlimited = self.unlimited or unlimited
        self.amount += amount or 0
        self.sources.append(source)

    def resolved(self) -> ResolvedEntitlement:
        feature = self.feature
        if feature.type == "boolean":
            return ResolvedEntitlement(
                feature_id=feature.id, feature_type="boolean", sources=self.sources
            )
        amount = None if self.unlimited else self.amount
        metered = feature.type == "metered"
        terms = self.terms or Entitlement(feature_id=feature.id)
        return ResolvedEntitlement(
            feature_id=feature.id,
            feature_type=feature.type,
            unit=feature.unit,
            unlimited=self.unlimited,
            limit=amount if metered else None,
            value=None if metered else amount,
            reset_period=(terms.reset_period or "monthly") if metered else None,
            reset_anchor=(terms.reset_anchor or "subscription") if metered else None,
            enforcement=(terms.enforcement or "hard") if metered else None,
            overage_prices=terms.overage_prices if metered and not self.unlimited else [],
            credits=terms.credits if metered else None,
            sources=self.sources,
        )


def _amount(entitlement: Entitlement, feature: Feature) -> int | None:
    return entitlement.limit if feature.type == "metered" else entitlement.value


def resolve_entitlements(
    plan: Plan,
    addons: Sequence[tuple[Addon, int]],
    promotions: Sequence[Promotion],
    features: Mapping[str, Feature],
    now: datetime,
) -> dict[str, ResolvedEntitlement]:
    """Every feature the customer holds, keyed and ordered by feature id (rules: module doc).

    The plan counts through its `effectiveEntitlements` (parent plans already folded in); an
    add-on's entitlements are per unit, so quantity 0 grants nothing and a negative quantity is
    a ValueError. A promotion counts while live at `now`. Features missing from `features` are
    skipped (archived ones stay in it while plans still grant them).
    """
    now = as_utc(now, "now")
    tallies: dict[str, _Tally] = {}

    def tally(feature_id: str) -> _Tally | None:
        feature = features.get(feature_id)
        if feature is None:
            return None
        return tallies.setdefault(feature_id, _Tally(feature))

    for entitlement in plan.effective_entitlements:
        if (found := tally(entitlement.feature_id)) is not None:
            found.terms = entitlement
            amount = _amount(entitlement, found.feature)
            found.add(entitlement.unlimited, amount, f"plan:{plan.id}@{plan.version}")

    for addon, quantity in addons:
        if quantity < 0:
            raise ValueError(f"add-on '{addon.id}' has a negative quantity")
        if quantity == 0:
            continue
        source = f"addon:{addon.id}@{addon.version}x{quantity}"
        for entitlement in addon.entitlements:
            if (found := tally(entitlement.feature_id)) is not None:
                found.terms = found.terms or entitlement
                amount = _amount(entitlement, found.feature)
                total = None if amount is None else amount * quantity
                found.add(entitlement.unlimited, total, source)

    for promotion in promotions:
        if promotion.is_live(now) and (found := tally(promotion.feature_id)) is not None:
            found.add(promotion.unlimited, promotion.amount, "promotion")

    return {feature_id: tallies[feature_id].resolved() for feature_id in sorted(tallies)}


def next_promotion_expiry(promotions: Sequence[Promotion], now: datetime) -> datetime | None:
    """The earliest expiry among the promotions live at `now`: when a resolution goes stale."""
    expiries = [p.expires_at for p in promotions if p.expires_at is not None and p.is_live(now)]
    return min(expiries, default=None)


def materialize(
    customer_id: str,
    *,
    plan: Plan | None,
    subscription_status: SubscriptionStatus | None,
    subscription_anchor: datetime | None,
    addons: Sequence[tuple[Addon, int]],
    promotions: Sequence[Promotion],
    features: Mapping[str, Feature],
    now: datetime,
) -> MaterializedEntitlements:
    """The item to store for a customer; `plan` None (no subscription) holds no entitlements.

    A canceled subscription keeps its entries (a check refuses them by status), so the item
    still shows what was held.
    """
    if plan is None:
        return MaterializedEntitlements(customer_id=customer_id, computed_at=now)
    return MaterializedEntitlements(
        customer_id=customer_id,
        subscription_status=subscription_status,
        subscription_anchor=subscription_anchor,
        plan_id=plan.id,
        plan_version=plan.version,
        entries=resolve_entitlements(plan, addons, promotions, features, now),
        computed_at=now,
        refresh_at=next_promotion_expiry(promotions, now),
        promotions=list(promotions),
    )
