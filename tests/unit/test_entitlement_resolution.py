"""Resolving entitlements: plan (parents folded in), add-ons by quantity, promotions.

Expected totals are written out by hand, never computed by the code under test.
"""

from datetime import datetime, timedelta

import pytest
from pydantic import ValidationError

from billfold.catalog.models import Entitlement, Feature, FeatureUnit
from billfold.entitlements.models import MaterializedEntitlements, Promotion, ResolvedEntitlement
from billfold.entitlements.resolve import (
    materialize,
    next_promotion_expiry,
    resolve_entitlements,
)
from tests.unit.factories import NOW, make_addon, make_feature, make_plan

SSO = make_feature("sso", "boolean")
AUDIT = make_feature("audit-log", "boolean")
CALLS = make_feature("api-calls", "metered")
EXPORTS = make_feature("exports", "metered")
SEATS = make_feature("seats", "numeric")
ARCHIVED = make_feature("legacy-reports", "boolean").model_copy(update={"status": "archived"})
FEATURES: dict[str, Feature] = {f.id: f for f in (SSO, AUDIT, CALLS, EXPORTS, SEATS, ARCHIVED)}

SECOND = timedelta(seconds=1)


def calls(limit: int | None = None, **terms: object) -> Entitlement:
    """A metered api-calls entitlement."""
    return Entitlement.model_validate({"feature_id": "api-calls", "limit": limit, **terms})


PRO = make_plan(
    "pro",
    version=3,
    entitlements=[
        Entitlement(feature_id="api-calls", limit=10_000),
        Entitlement(feature_id="seats", value=5),
        Entitlement(feature_id="audit-log"),
    ],
)


EXTRA_CALLS = make_addon("extra-calls", entitlements=[{"feature_id": "api-calls", "limit": 1_000}])
EXTRA_SEATS = make_addon("extra-seats", entitlements=[{"feature_id": "seats", "value": 2}])
SSO_ADDON = make_addon("sso-pack", entitlements=[{"feature_id": "sso"}])


# --- plan ---------------------------------------------------------------------------------


def test_plan_alone_grants_its_entitlements_with_metered_defaults_and_units() -> None:
    resolved = resolve_entitlements(PRO, [], [], FEATURES, NOW)

    assert list(resolved) == ["api-calls", "audit-log", "seats"]
    assert resolved["api-calls"] == ResolvedEntitlement(
        feature_id="api-calls",
        feature_type="metered",
        unit=FeatureUnit(singular="call", plural="calls"),
        limit=10_000,
        reset_period="monthly",
        reset_anchor="subscription",
        enforcement="hard",
        sources=["plan:pro@3"],
    )
    assert resolved["seats"].value == 5
    assert resolved["seats"].limit is None
    assert resolved["seats"].reset_period is None
    assert resolved["audit-log"] == ResolvedEntitlement(
        feature_id="audit-log", feature_type="boolean", sources=["plan:pro@3"]
    )


def test_parent_plan_entitlements_count_through_effective_entitlements() -> None:
    own = [Entitlement(feature_id="api-calls", limit=50_000)]
    inherited = [Entitlement(feature_id="sso"), Entitlement(feature_id="seats", value=3)]
    child = make_plan(
        "business", "pro", entitlements=own, effective_entitlements=own + inherited, version=2
    )

    resolved = resolve_entitlements(child, [], [], FEATURES, NOW)

    assert sorted(resolved) == ["api-calls", "seats", "sso"]
    assert resolved["api-calls"].limit == 50_000
    assert resolved["seats"].value == 3
    assert resolved["sso"].sources == ["plan:business@2"]


def test_only_effective_entitlements_count_not_the_plans_own_list() -> None:
    plan = make_plan(
        "odd",
        entitlements=[Entitlement(feature_id="sso")],
        effective_entitlements=[Entitlement(feature_id="audit-log")],
    )

    assert list(resolve_entitlements(plan, [], [], FEATURES, NOW)) == ["audit-log"]


def test_plan_terms_are_kept() -> None:
    plan = make_plan(
        "pro",
        entitlements=[
            calls(100, reset_period="daily", reset_anchor="calendar", enforcement="soft")
        ],
    )

    entry = resolve_entitlements(plan, [], [], FEATURES, NOW)["api-calls"]

    assert (entry.reset_period, entry.reset_anchor, entry.enforcement) == (
        "daily",
        "calendar",
        "soft",
    )


def test_features_missing_from_the_mapping_are_skipped_and_archived_ones_kept() -> None:
    plan = make_plan(
        "pro",
        entitlements=[
            Entitlement(feature_id="ghost"),
            Entitlement(feature_id="legacy-reports"),
        ],
    )

    assert list(resolve_entitlements(plan, [], [], FEATURES, NOW)) == ["legacy-reports"]


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        resolve_entitlements(PRO, [], [], FEATURES, NOW.replace(tzinfo=None))


# --- add-ons ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "expected_calls", "expected_seats"),
    [(1, 11_000, 7), (2, 12_000, 9), (3, 13_000, 11), (10, 20_000, 25)],
)
def test_add_on_quantities_multiply_their_per_unit_amounts(
    quantity: int, expected_calls: int, expected_seats: int
) -> None:
    addons = [(EXTRA_CALLS, quantity), (EXTRA_SEATS, quantity)]

    resolved = resolve_entitlements(PRO, addons, [], FEATURES, NOW)

    assert resolved["api-calls"].limit == expected_calls
    assert resolved["seats"].value == expected_seats
    assert resolved["api-calls"].sources == ["plan:pro@3", f"addon:extra-calls@1x{quantity}"]


def test_quantity_zero_grants_nothing_and_a_negative_one_is_refused() -> None:
    plan = make_plan("basic")

    assert resolve_entitlements(plan, [(EXTRA_CALLS, 0)], [], FEATURES, NOW) == {}
    assert resolve_entitlements(PRO, [(EXTRA_CALLS, 0)], [], FEATURES, NOW)[
        "api-calls"
    ].sources == ["plan:pro@3"]
    with pytest.raises(ValueError, match="negative quantity"):
        resolve_entitlements(PRO, [(EXTRA_CALLS, -1)], [], FEATURES, NOW)


def test_two_add_ons_on_one_feature_both_add() -> None:
    more_calls = make_addon(
        "more-calls", version=4, entitlements=[{"feature_id": "api-calls", "limit": 250}]
    )

    entry = resolve_entitlements(PRO, [(EXTRA_CALLS, 2), (more_calls, 4)], [], FEATURES, NOW)[
        "api-calls"
    ]

    assert entry.limit == 13_000  # 10,000 + 2 x 1,000 + 4 x 250
    assert entry.sources == ["plan:pro@3", "addon:extra-calls@1x2", "addon:more-calls@4x4"]


def test_a_boolean_feature_can_come_from_an_add_on_alone() -> None:
    resolved = resolve_entitlements(PRO, [(SSO_ADDON, 3)], [], FEATURES, NOW)

    assert resolved["sso"] == ResolvedEntitlement(
        feature_id="sso", feature_type="boolean", sources=["addon:sso-pack@1x3"]
    )


def test_terms_come_from_the_plan_over_the_add_on() -> None:
    plan = make_plan("pro", entitlements=[calls(100, reset_period="daily", enforcement="soft")])
    addon = make_addon(
        "extra-calls",
        entitlements=[
            {
                "feature_id": "api-calls",
                "limit": 10,
                "reset_period": "yearly",
                "reset_anchor": "calendar",
                "enforcement": "hard",
            }
        ],
    )

    entry = resolve_entitlements(plan, [(addon, 1)], [], FEATURES, NOW)["api-calls"]

    assert (entry.limit, entry.reset_period, entry.reset_anchor, entry.enforcement) == (
        110,
        "daily",
        "subscription",
        "soft",
    )


def test_terms_come_from_the_first_add_on_when_the_plan_lacks_the_feature() -> None:
    first = make_addon(
        "first",
        entitlements=[{"feature_id": "exports", "limit": 5, "reset_period": "weekly"}],
    )
    second = make_addon(
        "second",
        entitlements=[{"feature_id": "exports", "limit": 7, "enforcement": "soft"}],
    )

    entry = resolve_entitlements(PRO, [(first, 1), (second, 2)], [], FEATURES, NOW)["exports"]

    assert (entry.limit, entry.reset_period, entry.enforcement) == (19, "weekly", "hard")


# --- unlimited ----------------------------------------------------------------------------


def test_an_unlimited_add_on_lifts_the_plans_limit() -> None:
    unlimited = make_addon(
        "unlimited-calls", entitlements=[{"feature_id": "api-calls", "unlimited": True}]
    )

    entry = resolve_entitlements(PRO, [(unlimited, 1), (EXTRA_CALLS, 5)], [], FEATURES, NOW)[
        "api-calls"
    ]

    assert entry.unlimited is True
    assert entry.limit is None


def test_an_unlimited_plan_stays_unlimited_whatever_is_added() -> None:
    plan = make_plan(
        "max",
        entitlements=[
            Entitlement(feature_id="api-calls", unlimited=True),
            Entitlement(feature_id="seats", unlimited=True),
        ],
    )
    promotions = [Promotion(feature_id="api-calls", amount=5)]

    resolved = resolve_entitlements(
        plan, [(EXTRA_CALLS, 2), (EXTRA_SEATS, 2)], promotions, FEATURES, NOW
    )

    assert (resolved["api-calls"].unlimited, resolved["api-calls"].limit) == (True, None)
    assert (resolved["seats"].unlimited, resolved["seats"].value) == (True, None)


def test_an_unlimited_promotion_lifts_a_numeric_value() -> None:
    promotions = [Promotion(feature_id="seats", unlimited=True)]

    entry = resolve_entitlements(PRO, [], promotions, FEATURES, NOW)["seats"]

    assert (entry.unlimited, entry.value) == (True, None)


# --- promotions ---------------------------------------------------------------------------


def test_a_live_promotion_adds_and_an_expired_one_does_not() -> None:
    promotions = [
        Promotion(feature_id="api-calls", amount=500, expires_at=NOW + SECOND),
        Promotion(feature_id="api-calls", amount=70, expires_at=None),
        Promotion(feature_id="api-calls", amount=9_000, expires_at=NOW),
        Promotion(feature_id="api-calls", amount=9_000, expires_at=NOW - timedelta(days=1)),
    ]

    entry = resolve_entitlements(PRO, [], promotions, FEATURES, NOW)["api-calls"]

    assert entry.limit == 10_570
    assert entry.sources == ["plan:pro@3", "promotion", "promotion"]


def test_an_expired_promotion_grants_no_feature() -> None:
    promotions = [Promotion(feature_id="sso", expires_at=NOW - SECOND)]

    assert "sso" not in resolve_entitlements(PRO, [], promotions, FEATURES, NOW)


def test_a_bare_promotion_turns_a_boolean_feature_on() -> None:
    promotions = [Promotion(feature_id="sso", expires_at=NOW + timedelta(days=30))]

    entry = resolve_entitlements(PRO, [], promotions, FEATURES, NOW)["sso"]

    assert entry == ResolvedEntitlement(
        feature_id="sso", feature_type="boolean", sources=["promotion"]
    )


def test_a_promotion_grants_an_ungranted_metered_feature_its_amount_with_default_terms() -> None:
    entry = resolve_entitlements(
        PRO, [], [Promotion(feature_id="exports", amount=40)], FEATURES, NOW
    )["exports"]

    assert (entry.limit, entry.reset_period, entry.reset_anchor, entry.enforcement) == (
        40,
        "monthly",
        "subscription",
        "hard",
    )
    assert entry.sources == ["promotion"]


def test_a_promotion_adds_to_a_numeric_value() -> None:
    entry = resolve_entitlements(
        PRO, [(EXTRA_SEATS, 1)], [Promotion(feature_id="seats", amount=4)], FEATURES, NOW
    )["seats"]

    assert entry.value == 11  # 5 + 2 + 4


def test_a_promotion_for_an_unknown_feature_is_skipped() -> None:
    promotions = [Promotion(feature_id="ghost", amount=4)]

    assert "ghost" not in resolve_entitlements(PRO, [], promotions, FEATURES, NOW)


def test_a_promotion_is_an_amount_or_unlimited_not_both() -> None:
    with pytest.raises(ValidationError, match="either an amount or unlimited"):
        Promotion(feature_id="api-calls", amount=5, unlimited=True)


def test_a_promotion_expiry_must_name_an_instant() -> None:
    with pytest.raises(ValidationError, match="timezone-aware"):
        Promotion(feature_id="sso", expires_at=datetime(2030, 2, 1))


def test_next_promotion_expiry_is_the_earliest_live_expiry() -> None:
    promotions = [
        Promotion(feature_id="sso", expires_at=NOW + timedelta(days=9)),
        Promotion(feature_id="sso", expires_at=NOW + timedelta(days=2)),
        Promotion(feature_id="sso", expires_at=NOW),
        Promotion(feature_id="sso"),
    ]

    assert next_promotion_expiry(promotions, NOW) == datetime(2030, 1, 17, 12, tzinfo=NOW.tzinfo)
    assert next_promotion_expiry([Promotion(feature_id="sso")], NOW) is None


# --- the stored documents -----------------------------------------------------------------


TERMS = {"reset_period": "daily", "reset_anchor": "calendar", "enforcement": "hard"}


def test_a_well_formed_resolved_entitlement_is_accepted() -> None:
    """The baseline the refusals below each break in one way."""
    entry = ResolvedEntitlement.model_validate(
        {"feature_id": "f", "feature_type": "metered", "limit": 3, **TERMS}
    )

    assert entry.limit == 3


@pytest.mark.parametrize(
    "fields",
    [
        {"feature_type": "boolean", "limit": 3},
        {"feature_type": "boolean", "unlimited": True},
        {"feature_type": "boolean", "reset_period": "monthly"},
        {"feature_type": "numeric", "value": 3, "limit": 3},
        {"feature_type": "numeric"},
        {"feature_type": "numeric", "value": 3, "unlimited": True},
        {"feature_type": "numeric", "value": 3, "enforcement": "hard"},
        {"feature_type": "metered", "limit": 3, "value": 3, **TERMS},
        {"feature_type": "metered", "limit": 3, **TERMS, "enforcement": None},
        {"feature_type": "metered", **TERMS},
        {"feature_type": "metered", "limit": -1, **TERMS},
    ],
)
def test_a_resolved_entitlement_must_fit_its_feature_type(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ResolvedEntitlement.model_validate({"feature_id": "f", **fields})


def _materialized(**fields: object) -> MaterializedEntitlements:
    return MaterializedEntitlements.model_validate(
        {"customer_id": "c", "computed_at": NOW, **fields}
    )


def test_subscription_fields_come_together_or_not_at_all() -> None:
    with pytest.raises(ValidationError, match="together"):
        _materialized(subscription_status="active", plan_id="pro", plan_version=1)

    assert _materialized().has_subscription is False


def test_entries_are_keyed_by_their_feature_id() -> None:
    entry = ResolvedEntitlement(feature_id="sso", feature_type="boolean")

    with pytest.raises(ValidationError, match="holds feature"):
        _materialized(entries={"audit-log": entry})


def test_materialize_resolves_and_marks_when_a_promotion_makes_it_stale() -> None:
    expiry = NOW + timedelta(days=7)

    item = materialize(
        "cus_1",
        plan=PRO,
        subscription_status="active",
        subscription_anchor=NOW - timedelta(days=3),
        addons=[(EXTRA_CALLS, 2)],
        promotions=[Promotion(feature_id="sso", expires_at=expiry)],
        features=FEATURES,
        now=NOW,
    )

    assert (item.plan_id, item.plan_version, item.subscription_status) == ("pro", 3, "active")
    assert sorted(item.entries) == ["api-calls", "audit-log", "seats", "sso"]
    assert item.entries["api-calls"].limit == 12_000
    assert item.refresh_at == expiry
    assert item.is_stale(expiry - SECOND) is False
    assert item.is_stale(expiry) is True


def test_materialize_without_a_plan_holds_nothing() -> None:
    item = materialize(
        "cus_1",
        plan=None,
        subscription_status=None,
        subscription_anchor=None,
        addons=[],
        promotions=[Promotion(feature_id="sso")],
        features=FEATURES,
        now=NOW,
    )

    assert item == MaterializedEntitlements(customer_id="cus_1", computed_at=NOW)
    assert item.is_stale(NOW + timedelta(days=999)) is False


def test_the_materialized_item_round_trips_through_camel_case_json() -> None:
    item = materialize(
        "cus_1",
        plan=PRO,
        subscription_status="past_due",
        subscription_anchor=NOW,
        addons=[(EXTRA_SEATS, 1), (SSO_ADDON, 1)],
        promotions=[],
        features=FEATURES,
        now=NOW,
    )

    document = item.model_dump(mode="json", by_alias=True)

    assert document["subscriptionAnchor"] == "2030-01-15T12:00:00Z"
    assert document["planVersion"] == 3
    assert document["entries"]["api-calls"]["resetPeriod"] == "monthly"
    assert document["entries"]["seats"]["sources"] == ["plan:pro@3", "addon:extra-seats@1x1"]
    assert MaterializedEntitlements.model_validate(document) == item
