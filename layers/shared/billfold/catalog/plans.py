"""Plans: create and publish, read any version, list, change (a new version), archive."""

from functools import partial

from billfold.catalog.credit_types import require_credit_types
from billfold.catalog.features import features_by_id
from billfold.catalog.models import Plan, PlanCreate, PlanUpdate
from billfold.catalog.rules import (
    check_overage_currencies,
    check_parent_chain,
    inherit,
    normalize_entitlements,
)
from billfold.catalog.versions import Publication, VersionedStore
from billfold.clock import Clock
from billfold.errors import ErrorCode, InvalidInput, RuleViolation
from billfold.storage import keys
from billfold.storage.table import Table


def plan_store(table: Table) -> VersionedStore[Plan]:
    """Where plans and their versions live."""
    return VersionedStore(table, keys.PLANS_PARTITION, Plan, "plan")


def _publishable(table: Table, request: PlanCreate, publication: Publication[Plan]) -> Plan:
    """The plan version a request describes, with entitlements checked and inherited."""
    features = features_by_id(table, (e.feature_id for e in request.entitlements))
    own = normalize_entitlements(request.entitlements, features, publication.granted_before)
    check_overage_currencies(own, {price.currency for price in request.prices})
    require_credit_types(table, own, request.credit_allowances)
    parent = (
        check_parent_chain(request.id, request.parent_plan_id, partial(_current_plan, table))
        if request.parent_plan_id
        else None
    )
    if request.fallback_plan_id:
        _check_fallback(
            request.id, request.fallback_plan_id, _current_plan(table, request.fallback_plan_id)
        )
    return Plan(
        **request.model_dump(exclude={"entitlements"}),
        entitlements=own,
        effective_entitlements=inherit(own, parent),
        version=publication.version,
        status="active",
        created_at=publication.created_at,
        published_at=publication.published_at,
    )


def _check_fallback(plan_id: str, fallback_id: str, fallback: Plan | None) -> None:
    """A fallback plan is another active plan, and free: nobody is billed without consent."""
    field = "fallbackPlanId"
    if fallback_id == plan_id:
        raise RuleViolation(
            "a plan cannot fall back to itself", field=field, code=ErrorCode.FALLBACK_SELF
        )
    if fallback is None:
        raise InvalidInput(
            f"fallback plan '{fallback_id}' does not exist",
            field=field,
            code=ErrorCode.UNKNOWN_PLAN,
        )
    if fallback.status != "active":
        raise RuleViolation(
            f"fallback plan '{fallback_id}' is archived", field=field, code=ErrorCode.PLAN_ARCHIVED
        )
    if fallback.prices:
        raise RuleViolation(
            f"fallback plan '{fallback_id}' has prices: a fallback plan must be free",
            field=field,
            code=ErrorCode.FALLBACK_NOT_FREE,
        )


def _current_plan(table: Table, plan_id: str) -> Plan | None:
    return plan_store(table).current(plan_id, consistent=True)


def create_plan(table: Table, request: PlanCreate, clock: Clock) -> Plan:
    """Create a plan and publish it as version 1."""
    return plan_store(table).publish_new(request, clock, partial(_publishable, table))


def update_plan(table: Table, plan_id: str, patch: PlanUpdate, clock: Clock) -> Plan:
    """Publish the plan's next version with the patch applied (nothing, if nothing changes)."""
    build = partial(_publishable, table)
    return plan_store(table).publish_patch(plan_id, patch, PlanCreate, clock, build)


def get_plan(table: Table, plan_id: str, version: int | None = None) -> Plan:
    """The plan's current version, or the version asked for."""
    return plan_store(table).get(plan_id, version)


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
    found = plan_store(table).many(plan_ids).heads
    for index, plan_id in enumerate(plan_ids):
        if plan_id not in found:
            raise InvalidInput(
                f"plan '{plan_id}' does not exist",
                field=f"{field}.{index}",
                code=ErrorCode.UNKNOWN_PLAN,
            )
