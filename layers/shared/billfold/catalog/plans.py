"""Plans: create and publish, read any version, list, change (a new version), archive."""

from datetime import datetime

from billfold.catalog.features import features_by_id
from billfold.catalog.models import Plan, PlanCreate, PlanUpdate
from billfold.catalog.rules import check_parent_chain, inherit, normalize_entitlements
from billfold.catalog.versions import VersionedStore
from billfold.clock import Clock
from billfold.errors import InvalidInput
from billfold.patching import merge_patch
from billfold.storage import keys
from billfold.storage.table import Table


def plan_store(table: Table) -> VersionedStore[Plan]:
    """Where plans and their versions live."""
    return VersionedStore(table, keys.PLANS_PARTITION, Plan, "plan")


def _publishable(
    table: Table,
    request: PlanCreate,
    *,
    version: int,
    created_at: datetime,
    now: datetime,
    previous: Plan | None = None,
) -> Plan:
    """The plan version a request describes, with entitlements checked and inherited."""
    features = features_by_id(table, (e.feature_id for e in request.entitlements))
    granted_before = {e.feature_id for e in previous.entitlements} if previous else set()
    own = normalize_entitlements(request.entitlements, features, granted_before)
    parent = (
        check_parent_chain(request.id, request.parent_plan_id, plan_store(table).current)
        if request.parent_plan_id
        else None
    )
    return Plan(
        **request.model_dump(exclude={"entitlements"}),
        entitlements=own,
        effective_entitlements=inherit(own, parent),
        version=version,
        status="active",
        created_at=created_at,
        published_at=now,
    )


def create_plan(table: Table, request: PlanCreate, clock: Clock) -> Plan:
    """Create a plan and publish it as version 1."""
    now = clock.now()
    plan = _publishable(table, request, version=1, created_at=now, now=now)
    return plan_store(table).create(plan)


def update_plan(table: Table, plan_id: str, patch: PlanUpdate, clock: Clock) -> Plan:
    """Publish the plan's next version with the patch applied (nothing, if nothing changes)."""
    store = plan_store(table)
    current = store.require_current(plan_id, consistent=True)
    request = merge_patch(current, patch, PlanCreate)
    candidate = _publishable(
        table,
        request,
        version=current.version + 1,
        created_at=current.created_at,
        now=clock.now(),
        previous=current,
    )
    return store.update(current, candidate)


def get_plan(table: Table, plan_id: str, version: int | None = None) -> Plan:
    """The plan's current version, or the version asked for."""
    store = plan_store(table)
    return store.require_current(plan_id) if version is None else store.version(plan_id, version)


def list_plans(
    table: Table, *, limit: int, cursor: str | None, include_archived: bool = False
) -> tuple[list[Plan], str | None]:
    """One page of plans (current versions), by id."""
    return plan_store(table).list(limit=limit, cursor=cursor, include_archived=include_archived)


def archive_plan(table: Table, plan_id: str) -> Plan:
    """Stop selling a plan; existing subscriptions keep their version."""
    return plan_store(table).archive(plan_id)


def require_plans_exist(table: Table, plan_ids: list[str], field: str) -> None:
    """Raise InvalidInput naming the first id that is not a plan."""
    heads = [keys.catalog_item(keys.PLANS_PARTITION, p) for p in sorted(set(plan_ids))]
    found = {item["id"] for item in table.get_many(heads)}
    for index, plan_id in enumerate(plan_ids):
        if plan_id not in found:
            raise InvalidInput(
                f"plan '{plan_id}' does not exist", field=f"{field}.{index}", code="unknown_plan"
            )
