"""Add-ons: create and publish, read any version, list, change (a new version)."""

from functools import partial

from billfold.catalog.credit_types import require_credit_types
from billfold.catalog.features import features_by_id
from billfold.catalog.models import Addon, AddonCreate, AddonUpdate
from billfold.catalog.plans import require_plans_exist
from billfold.catalog.rules import check_overage_currencies, normalize_entitlements
from billfold.catalog.versions import Publication, VersionedStore
from billfold.clock import Clock
from billfold.storage import keys
from billfold.storage.table import Table


def addon_store(table: Table) -> VersionedStore[Addon]:
    """Where add-ons and their versions live."""
    return VersionedStore(table, keys.ADDONS_PARTITION, Addon, "addon")


def _publishable(table: Table, request: AddonCreate, publication: Publication[Addon]) -> Addon:
    """The add-on version a request describes, with entitlements and plans checked."""
    features = features_by_id(table, (e.feature_id for e in request.entitlements))
    entitlements = normalize_entitlements(
        request.entitlements, features, publication.granted_before
    )
    check_overage_currencies(entitlements, {price.currency for price in request.prices})
    require_credit_types(table, entitlements)
    require_plans_exist(table, request.plan_ids, "planIds")
    return Addon(
        **request.model_dump(exclude={"entitlements"}),
        entitlements=entitlements,
        version=publication.version,
        status="active",
        created_at=publication.created_at,
        published_at=publication.published_at,
    )


def create_addon(table: Table, request: AddonCreate, clock: Clock) -> Addon:
    """Create an add-on and publish it as version 1."""
    return addon_store(table).publish_new(request, clock, partial(_publishable, table))


def update_addon(table: Table, addon_id: str, patch: AddonUpdate, clock: Clock) -> Addon:
    """Publish the add-on's next version with the patch applied (nothing, if nothing changes)."""
    build = partial(_publishable, table)
    return addon_store(table).publish_patch(addon_id, patch, AddonCreate, clock, build)


def get_addon(table: Table, addon_id: str, version: int | None = None) -> Addon:
    """The add-on's current version, or the version asked for."""
    return addon_store(table).get(addon_id, version)


def list_addons(
    table: Table, *, limit: int, cursor: str | None, include_archived: bool = False
) -> tuple[list[Addon], str | None]:
    """One page of add-ons (current versions), by id."""
    return addon_store(table).list(limit=limit, cursor=cursor, include_archived=include_archived)


def archive_addon(table: Table, addon_id: str) -> Addon:
    """Stop selling an add-on; subscriptions that hold it keep their version."""
    return addon_store(table).archive(addon_id)
