"""The public pricing: what a pricing table or a paywall shows a visitor. Only plans and
add-ons the seller marked `public` (and still sells), the features they grant, and for a plan
built on a public parent, what it adds ("Everything in Starter, plus…")."""

from collections.abc import Iterator
from typing import TypeVar

from billfold.catalog.addons import addon_store
from billfold.catalog.features import features_by_id
from billfold.catalog.models import Addon, AddonPrice, Entitlement, Feature, Plan, Price
from billfold.catalog.plans import plan_store
from billfold.catalog.terms import FeatureType, FeatureUnit
from billfold.catalog.versions import VersionedStore
from billfold.models import ApiModel
from billfold.storage.table import Table

_PAGE = 100
Published = TypeVar("Published", Plan, Addon)


class PublicFeature(ApiModel):
    """A feature as a visitor sees it."""

    id: str
    name: str
    description: str
    type: FeatureType
    unit: FeatureUnit | None = None


class PublicPlan(ApiModel):
    """A public plan: its prices, trial and everything it grants."""

    id: str
    version: int
    name: str
    description: str
    prices: list[Price]
    trial_days: int
    display_order: int
    entitlements: list[Entitlement]
    """Everything the plan grants, inherited entitlements included."""
    includes_plan_id: str | None = None
    """The public parent plan this one builds on ("Everything in …, plus"), if any."""
    added_entitlements: list[Entitlement]
    """What it grants beyond `includesPlanId` (all of `entitlements` when it has none)."""
    metadata: dict[str, str]


class PublicAddon(ApiModel):
    """A public add-on: its prices per unit of quantity and the public plans it goes with."""

    id: str
    version: int
    name: str
    description: str
    prices: list[AddonPrice]
    max_quantity: int
    plan_ids: list[str]
    display_order: int
    entitlements: list[Entitlement]
    metadata: dict[str, str]


class Pricing(ApiModel):
    """The public catalog, in display order."""

    plans: list[PublicPlan]
    addons: list[PublicAddon]
    features: list[PublicFeature]
    currencies: list[str]


def _every_active(store: VersionedStore[Published]) -> Iterator[Published]:
    cursor: str | None = None
    while True:
        items, cursor = store.list(limit=_PAGE, cursor=cursor, include_archived=False)
        yield from items
        if cursor is None:
            return


def _added(plan: Plan, parent: Plan | None) -> list[Entitlement]:
    if parent is None:
        return plan.effective_entitlements
    inherited = {e.feature_id: e for e in parent.effective_entitlements}
    return [e for e in plan.effective_entitlements if inherited.get(e.feature_id) != e]


def _public_plan(plan: Plan, public: dict[str, Plan]) -> PublicPlan:
    parent = public.get(plan.parent_plan_id) if plan.parent_plan_id else None
    return PublicPlan(
        **plan.model_dump(include=set(PublicPlan.model_fields) - {"entitlements"}),
        entitlements=plan.effective_entitlements,
        includes_plan_id=parent.id if parent else None,
        added_entitlements=_added(plan, parent),
    )


def _public_feature(feature: Feature) -> PublicFeature:
    return PublicFeature(**feature.model_dump(include=set(PublicFeature.model_fields)))


def _shown_order(item: Plan | Addon) -> tuple[int, str]:
    return item.display_order, item.id


def public_pricing(table: Table) -> Pricing:
    """The public plans and add-ons with the features they grant, by display order then id."""
    plans = sorted((p for p in _every_active(plan_store(table)) if p.public), key=_shown_order)
    public = {plan.id: plan for plan in plans}
    addons = [
        addon.model_copy(update={"plan_ids": [i for i in addon.plan_ids if i in public]})
        for addon in sorted(_every_active(addon_store(table)), key=_shown_order)
        if addon.public
    ]
    granted = [e.feature_id for p in plans for e in p.effective_entitlements]
    granted += [e.feature_id for a in addons for e in a.entitlements]
    features = features_by_id(table, granted)
    return Pricing(
        plans=[_public_plan(plan, public) for plan in plans],
        addons=[PublicAddon(**a.model_dump(include=set(PublicAddon.model_fields))) for a in addons],
        features=[_public_feature(features[i]) for i in sorted(features)],
        currencies=sorted({p.currency for plan in plans for p in plan.prices}),
    )
