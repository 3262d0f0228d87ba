"""Add-ons against the real DynamoDB API (moto server)."""

import pytest

from billfold.catalog.addons import create_addon, get_addon, list_addons, update_addon
from billfold.catalog.models import AddonCreate, AddonUpdate, PlanCreate
from billfold.catalog.plans import create_plan
from billfold.errors import Conflict, InvalidInput, NotFound
from billfold.storage import keys


@pytest.fixture
def plan_id(table, clock, uid) -> str:
    """A plan that add-ons may name."""
    create_plan(table, PlanCreate(id=f"host-{uid}", name="Host plan"), clock)
    return f"host-{uid}"


def _addon(addon_id: str, plan_ids: list[str], **overrides) -> AddonCreate:
    fields = {
        "id": addon_id,
        "name": "Extra seats",
        "maxQuantity": 10,
        "planIds": plan_ids,
        "prices": [{"billingPeriod": "monthly", "currency": "USD", "amount": 800}],
    }
    return AddonCreate.model_validate({**fields, **overrides})


def test_created_addon_reads_back_as_version_1(table, clock, make_feature, plan_id, uid):
    seats = make_feature("numeric")
    created = create_addon(
        table,
        _addon(f"seats-{uid}", [plan_id], entitlements=[{"featureId": seats.id, "value": 1}]),
        clock,
    )

    read = get_addon(table, f"seats-{uid}")

    assert read == created
    assert (read.version, read.status, read.max_quantity) == (1, "active", 10)
    assert read.plan_ids == [plan_id]
    assert read.entitlements[0].value == 1
    assert [(p.currency, p.amount) for p in read.prices] == [("USD", 800)]


def test_creating_the_same_addon_twice_keeps_one_item(table, clock, plan_id, uid):
    first = create_addon(table, _addon(f"seats-{uid}", [plan_id]), clock)
    second = create_addon(table, _addon(f"seats-{uid}", [plan_id]), clock)

    assert second == first
    versions = table.query(f"{keys.ADDONS_PARTITION}#seats-{uid}")
    assert len(versions.items) == 1


def test_creating_an_existing_addon_id_with_other_terms_is_a_conflict_on_id(
    table, clock, plan_id, uid
):
    create_addon(table, _addon(f"seats-{uid}", [plan_id]), clock)

    with pytest.raises(Conflict) as raised:
        create_addon(table, _addon(f"seats-{uid}", [plan_id], maxQuantity=99), clock)

    assert (raised.value.code, raised.value.field) == ("already_exists", "id")
    assert get_addon(table, f"seats-{uid}").max_quantity == 10


def test_addon_update_publishes_a_new_version_and_keeps_the_old_one(table, clock, plan_id, uid):
    create_addon(table, _addon(f"seats-{uid}", [plan_id]), clock)

    updated = update_addon(table, f"seats-{uid}", AddonUpdate(max_quantity=20), clock)

    assert (updated.version, updated.max_quantity) == (2, 20)
    assert get_addon(table, f"seats-{uid}").max_quantity == 20
    assert get_addon(table, f"seats-{uid}", 1).max_quantity == 10


def test_addon_update_that_changes_nothing_publishes_nothing(table, clock, plan_id, uid):
    create_addon(table, _addon(f"seats-{uid}", [plan_id]), clock)

    same = update_addon(table, f"seats-{uid}", AddonUpdate(max_quantity=10), clock)

    assert same.version == 1
    with pytest.raises(NotFound):
        get_addon(table, f"seats-{uid}", 2)


def test_addon_plan_ids_must_name_existing_plans(table, clock, plan_id, uid):
    request = _addon(f"seats-{uid}", [plan_id, f"ghost-{uid}"])

    with pytest.raises(InvalidInput) as raised:
        create_addon(table, request, clock)

    assert (raised.value.code, raised.value.field) == ("unknown_plan", "planIds.1")
    with pytest.raises(NotFound):
        get_addon(table, f"seats-{uid}")


def test_addon_naming_more_than_100_unknown_plans_is_refused_as_invalid_input(table, clock, uid):
    request = _addon(f"many-{uid}", [f"ghost-{uid}-{n}" for n in range(101)])

    with pytest.raises(InvalidInput) as raised:
        create_addon(table, request, clock)

    assert (raised.value.code, raised.value.field) == ("unknown_plan", "planIds.0")


def test_addon_update_also_checks_plan_ids(table, clock, plan_id, uid):
    create_addon(table, _addon(f"seats-{uid}", [plan_id]), clock)

    with pytest.raises(InvalidInput) as raised:
        update_addon(table, f"seats-{uid}", AddonUpdate(plan_ids=[f"ghost-{uid}"]), clock)

    assert raised.value.field == "planIds.0"
    assert get_addon(table, f"seats-{uid}").plan_ids == [plan_id]


def test_listing_addons_returns_every_addon_exactly_once(table, clock, plan_id, uid):
    mine = {f"pga-{uid}-{n}" for n in range(5)}
    for addon_id in mine:
        create_addon(table, _addon(addon_id, [plan_id]), clock)

    seen: list[str] = []
    cursor = None
    while True:
        items, cursor = list_addons(table, limit=2, cursor=cursor)
        seen += [a.id for a in items]
        if cursor is None:
            break

    assert len(seen) == len(set(seen))
    assert mine <= set(seen)
