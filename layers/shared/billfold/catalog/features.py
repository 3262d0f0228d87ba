"""Features: create, read, list and change the capabilities that plans grant."""

from collections.abc import Iterable

from billfold.catalog.models import Feature, FeatureCreate, FeatureUpdate
from billfold.catalog.versions import ACTIVE_ONLY
from billfold.clock import Clock
from billfold.errors import ErrorCode, NotFound, already_exists, changed_concurrently
from billfold.patching import merge_patch, unchanged
from billfold.storage import keys
from billfold.storage.table import ITEM_IS_NEW, Condition, ConditionFailed, Table, attribute_is


def _save(table: Table, feature: Feature, condition: Condition) -> None:
    table.put(
        {**keys.feature(feature.id), "kind": "feature", **feature.model_dump(mode="json")},
        condition,
    )


def get_feature(table: Table, feature_id: str, *, consistent: bool = False) -> Feature:
    """One feature, or NotFound."""
    stored = table.get(keys.feature(feature_id), consistent=consistent)
    if stored is None:
        raise NotFound(f"feature '{feature_id}' does not exist", code=ErrorCode.FEATURE_NOT_FOUND)
    return Feature.model_validate(stored)


def create_feature(table: Table, request: FeatureCreate, clock: Clock) -> Feature:
    """Create a feature; repeating the same request returns the same feature (safe to retry)."""
    now = clock.now()
    feature = Feature(**request.model_dump(), created_at=now, updated_at=now)
    try:
        _save(table, feature, ITEM_IS_NEW)
    except ConditionFailed:
        existing = get_feature(table, request.id, consistent=True)
        if unchanged(existing, request):
            return existing
        raise already_exists("feature", request.id) from None
    return feature


def update_feature(table: Table, feature_id: str, patch: FeatureUpdate, clock: Clock) -> Feature:
    """Change a feature's name, description, unit or metadata (never its type)."""
    current = get_feature(table, feature_id, consistent=True)
    proposed = merge_patch(current, patch, FeatureCreate)
    if unchanged(current, proposed):
        return current
    return _replace(table, current, {**proposed.model_dump(), "updated_at": clock.now()})


def archive_feature(table: Table, feature_id: str, clock: Clock) -> Feature:
    """Stop granting a feature in new plan versions; published versions keep it. Idempotent."""
    current = get_feature(table, feature_id, consistent=True)
    if current.status == "archived":
        return current
    return _replace(table, current, {"status": "archived", "updated_at": clock.now()})


def _replace(table: Table, current: Feature, changes: dict[str, object]) -> Feature:
    """Write the changed feature if nobody changed it since it was read."""
    updated = Feature.model_validate({**current.model_dump(), **changes})
    read_at = attribute_is("updated_at", current.model_dump(mode="json")["updated_at"])
    try:
        _save(table, updated, read_at)
    except ConditionFailed:
        raise changed_concurrently("feature", current.id) from None
    return updated


def list_features(
    table: Table, *, limit: int, cursor: str | None, include_archived: bool = False
) -> tuple[list[Feature], str | None]:
    """One page of features, by id; archived ones only when asked for."""
    page = table.query(
        keys.FEATURES_PARTITION,
        limit=limit,
        cursor=cursor,
        where=None if include_archived else ACTIVE_ONLY,
    )
    return [Feature.model_validate(i) for i in page.items], page.next_cursor


def features_by_id(table: Table, feature_ids: Iterable[str]) -> dict[str, Feature]:
    """The existing features among the ids, read consistently in one batch per 100."""
    items = table.get_many([keys.feature(i) for i in sorted(set(feature_ids))], consistent=True)
    return {feature.id: feature for feature in map(Feature.model_validate, items)}
