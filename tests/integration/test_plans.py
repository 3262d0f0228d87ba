"""Plans against the real DynamoDB API (moto server): versions, conflicts, archive, pagination."""

import pytest

from billfold.catalog.features import archive_feature
from billfold.catalog.models import PlanCreate, PlanUpdate
from billfold.catalog.plans import (
    archive_plan,
    create_plan,
    get_plan,
    list_plans,
    plan_store,
    update_plan,
)
from billfold.errors import Conflict, InvalidInput, NotFound, RuleViolation
from billfold.storage import keys


def _plan(plan_id: str, **overrides) -> PlanCreate:
    fields = {
        "id": plan_id,
        "name": "Team",
        "description": "for teams",
        "trialDays": 7,
        "prices": [
            {"billingPeriod": "monthly", "currency": "USD", "amount": 1900},
            {"billingPeriod": "annual", "currency": "EUR", "amount": 18000},
        ],
    }
    return PlanCreate.model_validate({**fields, **overrides})


def _every_plan(table, *, include_archived=False, limit=3):
    """Page through the whole plan list, returning ids in the order served and the cursors."""
    ids: list[str] = []
    cursors: list[str] = []
    cursor = None
    while True:
        items, cursor = list_plans(
            table, limit=limit, cursor=cursor, include_archived=include_archived
        )
        assert len(items) <= limit
        ids += [p.id for p in items]
        if cursor is None:
            return ids, cursors
        cursors.append(cursor)


def test_created_plan_reads_back_as_version_1(table, clock, make_feature, uid):
    feature = make_feature("metered")
    created = create_plan(
        table,
        _plan(f"team-{uid}", entitlements=[{"featureId": feature.id, "limit": 500}]),
        clock,
    )

    read = get_plan(table, f"team-{uid}")

    assert read == created
    assert (read.version, read.status) == (1, "active")
    assert [(p.billing_period, p.currency, p.amount) for p in read.prices] == [
        ("monthly", "USD", 1900),
        ("annual", "EUR", 18000),
    ]
    entitlement = read.entitlements[0]
    assert (entitlement.limit, entitlement.reset_period, entitlement.enforcement) == (
        500,
        "monthly",
        "hard",
    )
    assert get_plan(table, f"team-{uid}", 1) == created


def test_creating_the_same_plan_twice_returns_it_and_keeps_one_version(table, clock, uid):
    first = create_plan(table, _plan(f"team-{uid}"), clock)
    second = create_plan(table, _plan(f"team-{uid}"), clock)

    assert second == first
    versions = table.query(f"{keys.PLANS_PARTITION}#team-{uid}")
    assert [item["version"] for item in versions.items] == [1]
    heads = table.query(keys.PLANS_PARTITION, sort_key_prefix=f"PLAN#team-{uid}")
    assert len(heads.items) == 1


def test_creating_an_existing_plan_id_with_other_terms_is_a_conflict_on_id(table, clock, uid):
    create_plan(table, _plan(f"team-{uid}"), clock)
    cheaper = _plan(
        f"team-{uid}", prices=[{"billingPeriod": "monthly", "currency": "USD", "amount": 900}]
    )

    with pytest.raises(Conflict) as raised:
        create_plan(table, cheaper, clock)

    assert (raised.value.code, raised.value.field) == ("already_exists", "id")
    assert get_plan(table, f"team-{uid}").prices[0].amount == 1900


def test_update_publishes_version_2_and_version_1_keeps_the_old_prices(table, clock, uid):
    create_plan(table, _plan(f"team-{uid}"), clock)
    new_prices = [{"billingPeriod": "monthly", "currency": "USD", "amount": 2900}]

    updated = update_plan(
        table, f"team-{uid}", PlanUpdate.model_validate({"prices": new_prices}), clock
    )

    assert updated.version == 2
    assert [p.amount for p in get_plan(table, f"team-{uid}").prices] == [2900]
    old = get_plan(table, f"team-{uid}", 1)
    assert old.version == 1
    assert [p.amount for p in old.prices] == [1900, 18000]
    assert get_plan(table, f"team-{uid}", 2).prices == updated.prices
    assert updated.name == "Team"
    assert updated.trial_days == 7


def test_update_that_changes_nothing_publishes_no_version(table, clock, uid):
    created = create_plan(table, _plan(f"team-{uid}"), clock)

    same = update_plan(table, f"team-{uid}", PlanUpdate(name="Team", trial_days=7), clock)

    assert same.version == 1
    assert get_plan(table, f"team-{uid}").version == 1
    assert same.published_at == created.published_at
    versions = table.query(f"{keys.PLANS_PARTITION}#team-{uid}")
    assert len(versions.items) == 1
    with pytest.raises(NotFound):
        get_plan(table, f"team-{uid}", 2)


def test_two_publishes_from_the_same_version_let_exactly_one_win(table, clock, uid):
    current = create_plan(table, _plan(f"team-{uid}"), clock)
    store = plan_store(table)
    first = current.model_copy(update={"version": 2, "name": "First"})
    second = current.model_copy(update={"version": 2, "name": "Second"})

    store.publish(first)
    with pytest.raises(Conflict) as raised:
        store.publish(second)

    assert raised.value.code == "concurrent_modification"
    assert get_plan(table, f"team-{uid}").name == "First"
    assert get_plan(table, f"team-{uid}", 2).name == "First"


def test_archived_plan_is_hidden_from_the_list_unless_asked_for(table, clock, uid):
    create_plan(table, _plan(f"old-{uid}"), clock)
    create_plan(table, _plan(f"live-{uid}"), clock)

    archived = archive_plan(table, f"old-{uid}")

    assert archived.status == "archived"
    active_ids, _ = _every_plan(table)
    assert f"live-{uid}" in active_ids
    assert f"old-{uid}" not in active_ids
    all_ids, _ = _every_plan(table, include_archived=True)
    assert {f"old-{uid}", f"live-{uid}"} <= set(all_ids)
    assert get_plan(table, f"old-{uid}", 1).status == "archived"


def test_archived_plan_cannot_be_updated(table, clock, uid):
    create_plan(table, _plan(f"old-{uid}"), clock)
    archive_plan(table, f"old-{uid}")

    with pytest.raises(Conflict) as raised:
        update_plan(table, f"old-{uid}", PlanUpdate(name="Revived"), clock)

    assert raised.value.code == "plan_archived"
    head = get_plan(table, f"old-{uid}")
    assert (head.version, head.name) == (1, "Team")


def test_archiving_twice_is_a_no_op(table, clock, uid):
    create_plan(table, _plan(f"old-{uid}"), clock)
    first = archive_plan(table, f"old-{uid}")

    second = archive_plan(table, f"old-{uid}")

    assert second == first
    assert get_plan(table, f"old-{uid}").version == 1


def test_child_plan_inherits_its_parents_entitlements(table, clock, make_feature, uid):
    calls, seats, sso = make_feature("metered"), make_feature("numeric"), make_feature("boolean")
    create_plan(
        table,
        _plan(
            f"base-{uid}",
            entitlements=[
                {"featureId": calls.id, "limit": 1000},
                {"featureId": seats.id, "value": 3},
            ],
        ),
        clock,
    )

    child = create_plan(
        table,
        _plan(
            f"child-{uid}",
            parentPlanId=f"base-{uid}",
            entitlements=[{"featureId": calls.id, "limit": 9000}, {"featureId": sso.id}],
        ),
        clock,
    )

    effective = {e.feature_id: e for e in child.effective_entitlements}
    assert set(effective) == {calls.id, seats.id, sso.id}
    assert effective[calls.id].limit == 9000
    assert effective[seats.id].value == 3
    assert {e.feature_id for e in child.entitlements} == {calls.id, sso.id}
    assert get_plan(table, f"child-{uid}").effective_entitlements == child.effective_entitlements


def test_plan_with_an_unknown_parent_is_refused(table, clock, uid):
    with pytest.raises(InvalidInput) as raised:
        create_plan(table, _plan(f"orphan-{uid}", parentPlanId=f"nobody-{uid}"), clock)

    assert (raised.value.code, raised.value.field) == ("unknown_plan", "parentPlanId")
    with pytest.raises(NotFound):
        get_plan(table, f"orphan-{uid}")


def test_plan_with_an_unknown_feature_names_the_entitlement(table, clock, make_feature, uid):
    known = make_feature("boolean")
    request = _plan(
        f"bad-{uid}", entitlements=[{"featureId": known.id}, {"featureId": f"ghost-{uid}"}]
    )

    with pytest.raises(InvalidInput) as raised:
        create_plan(table, request, clock)

    assert (raised.value.code, raised.value.field) == (
        "unknown_feature",
        "entitlements.1.featureId",
    )


def test_listing_plans_returns_every_plan_exactly_once_with_stable_cursors(table, clock, uid):
    mine = {f"pg-{uid}-{n:02d}" for n in range(8)}
    for plan_id in mine:
        create_plan(table, _plan(plan_id), clock)

    ids, cursors = _every_plan(table, include_archived=True, limit=3)
    ids_again, cursors_again = _every_plan(table, include_archived=True, limit=3)

    assert len(ids) == len(set(ids))
    assert mine <= set(ids)
    assert ids == sorted(ids)
    assert len(cursors) >= 2
    assert (ids_again, cursors_again) == (ids, cursors)
    resumed, _ = list_plans(table, limit=3, cursor=cursors[0], include_archived=True)
    assert [p.id for p in resumed] == ids[3:6]


def test_an_archived_feature_stays_on_a_plan_that_granted_it_but_cannot_be_added(
    table, clock, make_feature, uid
):
    kept, fresh = make_feature("metered"), make_feature("boolean")
    create_plan(
        table, _plan(f"grand-{uid}", entitlements=[{"featureId": kept.id, "limit": 5}]), clock
    )
    archive_feature(table, kept.id, clock)
    archive_feature(table, fresh.id, clock)

    repriced = update_plan(
        table,
        f"grand-{uid}",
        PlanUpdate.model_validate(
            {"prices": [{"billingPeriod": "monthly", "currency": "USD", "amount": 2900}]}
        ),
        clock,
    )
    assert repriced.version == 2
    assert [e.feature_id for e in repriced.entitlements] == [kept.id]

    with pytest.raises(InvalidInput) as caught:
        update_plan(
            table,
            f"grand-{uid}",
            PlanUpdate.model_validate(
                {"entitlements": [{"featureId": kept.id, "limit": 5}, {"featureId": fresh.id}]}
            ),
            clock,
        )
    assert (caught.value.code, caught.value.field) == (
        "feature_archived",
        "entitlements.1.featureId",
    )
    with pytest.raises(InvalidInput):
        create_plan(
            table, _plan(f"late-{uid}", entitlements=[{"featureId": kept.id, "limit": 1}]), clock
        )


def test_a_patch_computed_before_an_archive_cannot_bring_the_plan_back(table, clock, uid):
    plan_id = f"race-{uid}"
    create_plan(table, _plan(plan_id), clock)
    store = plan_store(table)
    stale = store.require_current(plan_id, consistent=True)
    candidate = stale.model_copy(update={"version": 2, "name": "Renamed"})

    archive_plan(table, plan_id)
    with pytest.raises(Conflict) as caught:
        store.publish(candidate)

    assert caught.value.code == "concurrent_modification"
    head = get_plan(table, plan_id)
    assert (head.version, head.status) == (1, "archived")


def test_a_filtered_page_is_full_even_when_archived_plans_sit_between(table, clock, uid):
    for n in range(6):
        create_plan(table, _plan(f"page-{uid}-{n}"), clock)
        if n % 2 == 0:
            archive_plan(table, f"page-{uid}-{n}")
    ids, _ = _every_plan(table, limit=2)
    mine = [i for i in ids if i.startswith(f"page-{uid}-")]
    assert mine == [f"page-{uid}-1", f"page-{uid}-3", f"page-{uid}-5"]
    items, _ = list_plans(table, limit=2, cursor=None)
    assert len(items) == 2


def test_a_fallback_plan_must_be_another_active_free_plan(table, clock, uid):
    create_plan(table, _plan(f"free-{uid}", prices=[]), clock)
    create_plan(table, _plan(f"paid-{uid}"), clock)
    create_plan(table, _plan(f"gone-{uid}", prices=[]), clock)
    archive_plan(table, f"gone-{uid}")

    kept = create_plan(table, _plan(f"team-{uid}", fallbackPlanId=f"free-{uid}"), clock)
    assert kept.fallback_plan_id == f"free-{uid}"
    refusals = {
        f"nope-{uid}": (InvalidInput, "unknown_plan"),
        f"paid-{uid}": (RuleViolation, "fallback_not_free"),
        f"gone-{uid}": (RuleViolation, "plan_archived"),
        f"self-{uid}": (RuleViolation, "fallback_self"),
    }
    for fallback, (error, code) in refusals.items():
        with pytest.raises(error) as refused:
            create_plan(table, _plan(f"self-{uid}", fallbackPlanId=fallback), clock)
        assert (refused.value.code, refused.value.field) == (code, "fallbackPlanId")
    assert plan_store(table).current(f"self-{uid}") is None


def test_downgrade_timing_and_usage_reset_are_published_with_the_plan(table, clock, uid):
    created = create_plan(table, _plan(f"team-{uid}"), clock)
    assert (created.downgrade_timing, created.reset_usage_on_change) == ("period_end", False)

    changed = update_plan(
        table,
        f"team-{uid}",
        PlanUpdate.model_validate({"downgradeTiming": "immediate", "resetUsageOnChange": True}),
        clock,
    )

    assert (changed.version, changed.downgrade_timing, changed.reset_usage_on_change) == (
        2,
        "immediate",
        True,
    )


def test_many_reads_heads_and_held_versions_in_one_batch(table, clock, uid):
    create_plan(table, _plan(f"old-{uid}"), clock)
    new_prices = [{"billingPeriod": "monthly", "currency": "USD", "amount": 2900}]
    update_plan(table, f"old-{uid}", PlanUpdate.model_validate({"prices": new_prices}), clock)
    archive_plan(table, f"old-{uid}")

    read = plan_store(table).many([f"old-{uid}", f"gone-{uid}"], [(f"old-{uid}", 1)])

    assert read.current(f"old-{uid}").version == 2
    assert read.current(f"gone-{uid}") is None
    held = read.version(f"old-{uid}", 1)
    assert ([p.amount for p in held.prices], held.status) == ([1900, 18000], "archived")
    with pytest.raises(NotFound):
        read.version(f"old-{uid}", 3)
