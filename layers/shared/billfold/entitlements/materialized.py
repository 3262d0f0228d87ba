"""The customer's materialized entitlements item (`ENT`, the item an entitlement check reads):
the one module that computes it, writes it and reads it.

It is written empty with the customer, and rewritten by every subscription change (create,
change, renewal, trial end, dunning, cancel) and every promotion. Each rewrite is conditional
on the item's `version` as read before anything it is computed from, so of two writers racing
(a change and a promotion grant, say) the second fails and computes again: nothing is lost.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from billfold.entitlements.models import MaterializedEntitlements, Promotion, SubscriptionStatus
from billfold.storage import keys
from billfold.storage.table import ITEM_IS_NEW, Condition, Item, Put, Table, Update, attribute_is

if TYPE_CHECKING:
    from billfold.catalog.models import Addon, Plan

VERSION = "version"
"""Bumped by every rewrite: each rewrite is conditional on the version it read."""
_NOT_THE_DOCUMENT = frozenset({"pk", "sk", "kind", VERSION})


@dataclass(frozen=True)
class Terms:
    """What a customer's entitlements are computed from: the plan and add-on versions held
    (each add-on with its quantity), the subscription's status and its usage anchor."""

    plan: "Plan"
    addons: Sequence[tuple["Addon", int]]
    status: SubscriptionStatus
    anchor: datetime


def compute(
    table: Table,
    customer_id: str,
    terms: Terms,
    now: datetime,
    promotions: Sequence[Promotion] | None = None,
) -> MaterializedEntitlements:
    """The customer's entitlements under `terms`: with `promotions`, or the stored ones when
    not given."""
    # Imported here: checks read the item on the hot path, only writers compute it.
    from billfold.catalog.features import features_by_id
    from billfold.entitlements.promotions_store import customer_promotions
    from billfold.entitlements.resolve import materialize

    if promotions is None:
        promotions = customer_promotions(table, customer_id)
    feature_ids = {e.feature_id for e in terms.plan.effective_entitlements}
    feature_ids |= {e.feature_id for addon, _ in terms.addons for e in addon.entitlements}
    feature_ids |= {p.feature_id for p in promotions}
    return materialize(
        customer_id,
        plan=terms.plan,
        subscription_status=terms.status,
        subscription_anchor=terms.anchor,
        addons=list(terms.addons),
        promotions=promotions,
        features=features_by_id(table, feature_ids),
        now=now,
    )


def read_version(table: Table, customer_id: str) -> int | None:
    """The item's version (None: no item; 0: one written before versions existed)."""
    return version_of(table.get(keys.entitlements(customer_id), consistent=True))


def version_of(item: Mapping[str, Any] | None) -> int | None:
    """The version of an item as read (None: no item)."""
    return None if item is None else int(item.get(VERSION, 0))


def _still_at(read: int | None) -> Condition:
    if read is None:
        return ITEM_IS_NEW
    if read == 0:
        return Condition(f"attribute_not_exists({VERSION})")
    return attribute_is(VERSION, read)


def _item(document: MaterializedEntitlements, version: int) -> Item:
    return {
        **keys.entitlements(document.customer_id),
        "kind": "entitlements",
        **document.model_dump(mode="json"),
        VERSION: version,
    }


def put(document: MaterializedEntitlements, read: int | None) -> Put:
    """Write `document` as the version after `read`, only if the item is still at `read`."""
    return Put(_item(document, (read or 0) + 1), _still_at(read))


def rewrite(table: Table, customer_id: str, terms: Terms, now: datetime) -> Put:
    """The item recomputed under `terms`, conditional on the version read *before* the
    promotions were: a promotion granted or revoked meanwhile makes the write fail instead of
    being lost."""
    version = read_version(table, customer_id)
    return put(compute(table, customer_id, terms, now), version)


def bump(customer_id: str, read: int | None) -> Update:
    """Move the item's version on from `read` without changing what it holds (a promotion of a
    customer without a subscription: a subscription created meanwhile is computed again)."""
    return Update(
        keys.entitlements(customer_id),
        "SET #version = :next",
        _still_at(read),
        {"#version": VERSION},
        {":next": (read or 0) + 1},
    )


def empty(customer_id: str, at: datetime) -> Put:
    """The item of a new customer: present, so a check tells "no subscription" from "no such
    customer" in its one read."""
    return put(MaterializedEntitlements(customer_id=customer_id, computed_at=at), None)


def find(table: Table, customer_id: str) -> MaterializedEntitlements | None:
    """The customer's entitlements as last written (None: no such customer)."""
    item = table.get(keys.entitlements(customer_id))
    return parse(item) if item else None


def is_item(sort_key: str) -> bool:
    """Whether an item of the customer's partition is this one (by its sort key)."""
    return sort_key == keys.entitlements("")["sk"]


def parse(item: Mapping[str, Any]) -> MaterializedEntitlements:
    """The document of a stored item (as read by a check's Query, or as just written)."""
    return MaterializedEntitlements.model_validate(
        {k: v for k, v in item.items() if k not in _NOT_THE_DOCUMENT}
    )
