"""Add-ons: create and publish, read any version, list, change (a new version)."""

from datetime import datetime

from billfold.catalog.features import features_by_id
from billfold.catalog.models import Addon, AddonCreate, AddonUpdate
from billfold.catalog.plans import require_plans_exist
from billfold.catalog.rules import normalize_entitlements
from billfold.catalog.versions import VersionedStore
from billfold.clock import Clock
from billfold.patching import merge_patch
from billfold.storage import keys
from billfold.storage.table import Table


def addon_store(table: Table) -> VersionedStore[Addon]:
    """Where add-ons and their versions live."""
    return VersionedStore(table, keys.ADDONS_PARTITION, Addon, "addon")


def _publishable(
    table: Table,
    request: AddonCreate,
    *,
    version: int,
    created_at: datetime,
    now: datetime,
    previous: Addon | None = None,
) -> Addon:
    """The add-on version a request describes, with entitlements and plans checked."""
    features = features_by_id(table, (e.feature_id for e in request.entitlements))
    granted_before = {e.feature_id for e in previous.entitlements} if previous else set()
    entitlements = normalize_entitlements(request.entitlements, features, granted_before)
    require_plans_exist(table, request.plan_ids, "planIds")
    return Addon(
        **request.model_dump(exclude={"entitlements"}),
        entitlements=entitlements,
        version=version,
        status="active",
        created_at=created_at,
        published_at=now,
    )


def create_addon(table: Table, request: AddonCreate, clock: Clock) -> Addon:
    """Create an add-on and publish it as version 1."""
    now = clock.now()
    addon = _publishable(table, request, version=1, created_at=now, now=now)
    return addon_store(table).create(addon)


def update_addon(table: Table, addon_id: str, patch: AddonUpdate, clock: Clock) -> Addon:
    """Publish the add-on's next version with the patch applied (nothing, if nothing changes)."""
    store = addon_store(table)
    current = store.require_current(addon_id, consistent=True)
    request = merge_patch(current, patch, AddonCreate)
    candidate = _publishable(
        table,
        request,
        version=current.version + 1,
        created_at=current.created_at,
        now=clock.now(),
        previous=current,
    )
    return store.update(current, candidate)


def get_addon(table: Table, addon_id: str, version: int | None = None) -> Addon:
    """The add-on's current version, or the version asked for."""
    store = addon_store(table)
    return store.require_current(addon_id) if version is None else store.version(addon_id, version)


def list_addons(
    table: Table, *, limit: int, cursor: str | None, include_archived: bool = False
) -> tuple[list[Addon], str | None]:
    """One page of add-ons (current versions), by id."""
    return addon_store(table).list(limit=limit, cursor=cursor, include_archived=include_archived)


def archive_addon(table: Table, addon_id: str) -> Addon:
    """Stop selling an add-on; subscriptions that hold it keep their version."""
    return addon_store(table).archive(addon_id)
