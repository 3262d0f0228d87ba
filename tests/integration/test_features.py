"""Features against the real DynamoDB API (moto server)."""

import pytest

from billfold.catalog.features import (
    create_feature,
    get_feature,
    list_features,
    update_feature,
)
from billfold.catalog.models import FeatureCreate, FeatureUnit, FeatureUpdate
from billfold.errors import Conflict, NotFound
from billfold.storage import keys


def _request(feature_id: str, **overrides) -> FeatureCreate:
    fields = {
        "id": feature_id,
        "name": "API calls",
        "type": "metered",
        "unit": {"singular": "call", "plural": "calls"},
        "description": "requests to the API",
        "metadata": {"team": "platform"},
    }
    return FeatureCreate.model_validate({**fields, **overrides})


def test_created_feature_reads_back_with_every_attribute(table, clock, uid):
    created = create_feature(table, _request(f"calls-{uid}"), clock)

    read = get_feature(table, f"calls-{uid}")

    assert read == created
    assert (read.name, read.type, read.unit.plural) == ("API calls", "metered", "calls")
    assert read.metadata == {"team": "platform"}
    assert table.get(keys.feature(f"calls-{uid}"))["kind"] == "feature"


def test_creating_the_same_feature_twice_returns_the_first_and_stores_one_item(table, clock, uid):
    first = create_feature(table, _request(f"calls-{uid}"), clock)
    second = create_feature(table, _request(f"calls-{uid}"), clock)

    assert second == first
    stored = table.query(keys.FEATURES_PARTITION, sort_key_prefix=f"FEATURE#calls-{uid}")
    assert [item["id"] for item in stored.items] == [f"calls-{uid}"]


def test_creating_an_existing_feature_id_with_other_content_is_a_conflict_on_id(table, clock, uid):
    create_feature(table, _request(f"calls-{uid}"), clock)

    with pytest.raises(Conflict) as raised:
        create_feature(table, _request(f"calls-{uid}", name="Other name"), clock)

    assert (raised.value.code, raised.value.field) == ("already_exists", "id")
    assert get_feature(table, f"calls-{uid}").name == "API calls"


def test_updating_a_feature_changes_only_the_fields_given(table, clock, uid):
    created = create_feature(table, _request(f"calls-{uid}"), clock)

    updated = update_feature(table, created.id, FeatureUpdate(name="Requests"), clock)

    assert updated.name == "Requests"
    stored = get_feature(table, created.id, consistent=True)
    assert stored.name == "Requests"
    assert (stored.unit, stored.metadata, stored.type) == (
        created.unit,
        created.metadata,
        "metered",
    )
    assert stored.created_at == created.created_at
    assert stored.updated_at > created.updated_at


def test_updated_feature_returned_equals_the_stored_one(table, clock, uid):
    created = create_feature(table, _request(f"calls-{uid}"), clock)

    updated = update_feature(table, created.id, FeatureUpdate(name="Requests"), clock)

    assert isinstance(updated.unit, FeatureUnit)
    assert updated == get_feature(table, created.id, consistent=True)


def test_unknown_feature_is_not_found(table, uid):
    with pytest.raises(NotFound) as raised:
        get_feature(table, f"missing-{uid}")

    assert raised.value.code == "feature_not_found"


def test_listing_features_pages_through_every_feature_exactly_once(table, clock, uid):
    mine = {f"page-{uid}-{n}" for n in range(5)}
    for feature_id in mine:
        create_feature(table, _request(feature_id), clock)

    seen: list[str] = []
    cursor = None
    while True:
        items, cursor = list_features(table, limit=2, cursor=cursor)
        assert len(items) <= 2
        seen += [f.id for f in items]
        if cursor is None:
            break

    assert len(seen) == len(set(seen))
    assert mine <= set(seen)
    assert seen == sorted(seen)
