"""The catalog's rules: entitlements checked against their feature's type, and inheritance."""

from typing import Any

import pytest

from billfold.catalog.models import Entitlement, Plan
from billfold.catalog.rules import (
    MAX_PARENT_DEPTH,
    check_parent_chain,
    inherit,
    normalize_entitlement,
    normalize_entitlements,
)
from billfold.errors import InvalidInput, RuleViolation
from tests.unit.factories import make_feature, make_plan

BOOLEAN = make_feature("sso", "boolean")
METERED = make_feature("api-calls", "metered")
NUMERIC = make_feature("seats", "numeric")
FEATURES = {f.id: f for f in (BOOLEAN, METERED, NUMERIC)}


def _refused(feature_id: str, field: str = "entitlements.0", **given: Any) -> InvalidInput:
    """The InvalidInput that normalizing `given` for the feature raises."""
    entitlement = Entitlement(feature_id=feature_id, **given)
    with pytest.raises(InvalidInput) as caught:
        normalize_entitlement(entitlement, FEATURES.get(feature_id), field)
    return caught.value


# --- boolean features -------------------------------------------------------------------------


def test_boolean_entitlement_with_only_the_feature_is_granted_bare() -> None:
    result = normalize_entitlement(Entitlement(feature_id="sso"), BOOLEAN, "entitlements.0")

    assert result == Entitlement(feature_id="sso")
    assert result.limit is None
    assert result.reset_period is None
    assert result.enforcement is None


def test_boolean_entitlement_accepts_an_explicit_unlimited_false() -> None:
    result = normalize_entitlement(
        Entitlement(feature_id="sso", unlimited=False), BOOLEAN, "entitlements.0"
    )

    assert result == Entitlement(feature_id="sso")


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"limit": 10}, "limit"),
        ({"value": 3}, "value"),
        ({"unlimited": True}, "unlimited"),
        ({"reset_period": "daily"}, "resetPeriod"),
        ({"reset_anchor": "calendar"}, "resetAnchor"),
        ({"enforcement": "soft"}, "enforcement"),
    ],
)
def test_boolean_entitlement_refuses_amounts_naming_the_camel_case_field(
    given: dict[str, Any], field: str
) -> None:
    error = _refused("sso", "entitlements.3", **given)

    assert error.field == f"entitlements.3.{field}"
    assert error.code == "invalid_entitlement"
    assert "boolean" in error.message


@pytest.mark.parametrize(("given", "field"), [({"limit": 0}, "limit"), ({"value": 0}, "value")])
def test_boolean_entitlement_refuses_a_zero_amount(given: dict[str, Any], field: str) -> None:
    error = _refused("sso", **given)

    assert error.field == f"entitlements.0.{field}"


# --- metered features -------------------------------------------------------------------------


def test_metered_entitlement_with_a_limit_gets_monthly_subscription_hard_defaults() -> None:
    result = normalize_entitlement(
        Entitlement(feature_id="api-calls", limit=10_000), METERED, "entitlements.0"
    )

    assert result.limit == 10_000
    assert result.unlimited is False
    assert result.reset_period == "monthly"
    assert result.reset_anchor == "subscription"
    assert result.enforcement == "hard"


def test_metered_entitlement_keeps_the_reset_and_enforcement_it_was_given() -> None:
    given = Entitlement(
        feature_id="api-calls",
        limit=5,
        reset_period="daily",
        reset_anchor="calendar",
        enforcement="soft",
    )

    result = normalize_entitlement(given, METERED, "entitlements.0")

    assert (result.reset_period, result.reset_anchor, result.enforcement) == (
        "daily",
        "calendar",
        "soft",
    )


def test_metered_entitlement_may_be_unlimited_and_still_gets_defaults() -> None:
    result = normalize_entitlement(
        Entitlement(feature_id="api-calls", unlimited=True), METERED, "entitlements.0"
    )

    assert result.unlimited is True
    assert result.limit is None
    assert result.reset_period == "monthly"
    assert result.enforcement == "hard"


def test_metered_entitlement_accepts_a_zero_limit() -> None:
    result = normalize_entitlement(
        Entitlement(feature_id="api-calls", limit=0), METERED, "entitlements.0"
    )

    assert result.limit == 0


@pytest.mark.parametrize(
    "given",
    [{}, {"limit": 10, "unlimited": True}, {"unlimited": False}],
    ids=["neither", "both", "unlimited-false-without-limit"],
)
def test_metered_entitlement_needs_exactly_one_of_limit_or_unlimited(
    given: dict[str, Any],
) -> None:
    error = _refused("api-calls", "entitlements.1", **given)

    assert error.field == "entitlements.1.limit"
    assert error.code == "invalid_entitlement"


def test_metered_entitlement_refuses_a_value() -> None:
    error = _refused("api-calls", limit=10, value=10)

    assert error.field == "entitlements.0.value"
    assert "limit" in error.message


# --- numeric features -------------------------------------------------------------------------


def test_numeric_entitlement_with_a_value_is_kept_without_metered_defaults() -> None:
    given = Entitlement(feature_id="seats", value=5)

    result = normalize_entitlement(given, NUMERIC, "entitlements.0")

    assert result == given
    assert result.value == 5
    assert result.reset_period is None
    assert result.reset_anchor is None
    assert result.enforcement is None


def test_numeric_entitlement_may_be_unlimited() -> None:
    result = normalize_entitlement(
        Entitlement(feature_id="seats", unlimited=True), NUMERIC, "entitlements.0"
    )

    assert result.unlimited is True
    assert result.value is None


@pytest.mark.parametrize("given", [{}, {"value": 5, "unlimited": True}], ids=["neither", "both"])
def test_numeric_entitlement_needs_exactly_one_of_value_or_unlimited(
    given: dict[str, Any],
) -> None:
    error = _refused("seats", **given)

    assert error.field == "entitlements.0.value"


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"limit": 5}, "limit"),
        ({"value": 5, "reset_period": "monthly"}, "resetPeriod"),
        ({"value": 5, "reset_anchor": "subscription"}, "resetAnchor"),
        ({"value": 5, "enforcement": "hard"}, "enforcement"),
    ],
)
def test_numeric_entitlement_refuses_metered_only_attributes(
    given: dict[str, Any], field: str
) -> None:
    error = _refused("seats", **given)

    assert error.field == f"entitlements.0.{field}"
    assert error.code == "invalid_entitlement"


# --- unknown features and lists ---------------------------------------------------------------


def test_entitlement_for_an_unknown_feature_names_its_feature_id() -> None:
    error = _refused("ghost", "entitlements.4", value=1)

    assert error.code == "unknown_feature"
    assert error.field == "entitlements.4.featureId"
    assert "ghost" in error.message


def test_normalize_entitlements_names_the_index_of_the_first_bad_entry() -> None:
    entitlements = [
        Entitlement(feature_id="sso"),
        Entitlement(feature_id="seats", value=3),
        Entitlement(feature_id="ghost"),
    ]

    with pytest.raises(InvalidInput) as caught:
        normalize_entitlements(entitlements, FEATURES)

    assert caught.value.field == "entitlements.2.featureId"
    assert caught.value.code == "unknown_feature"


def test_normalize_entitlements_keeps_the_order_given_and_completes_each() -> None:
    entitlements = [
        Entitlement(feature_id="seats", value=3),
        Entitlement(feature_id="api-calls", limit=100),
        Entitlement(feature_id="sso"),
    ]

    result = normalize_entitlements(entitlements, FEATURES)

    assert [e.feature_id for e in result] == ["seats", "api-calls", "sso"]
    assert result[1].enforcement == "hard"


# --- inheritance ------------------------------------------------------------------------------


def test_inherit_without_a_parent_is_the_plans_own_entitlements() -> None:
    own = [Entitlement(feature_id="seats", value=3)]

    assert inherit(own, None) == own


def test_inherit_lets_the_child_override_per_feature_and_keeps_the_parents_others() -> None:
    parent = make_plan(
        "basic",
        entitlements=[
            Entitlement(feature_id="api-calls", limit=100),
            Entitlement(feature_id="sso"),
        ],
    )
    own = [
        Entitlement(feature_id="api-calls", limit=5_000),
        Entitlement(feature_id="seats", value=10),
    ]

    merged = {e.feature_id: e for e in inherit(own, parent)}

    assert set(merged) == {"api-calls", "sso", "seats"}
    assert merged["api-calls"].limit == 5_000
    assert merged["sso"] == Entitlement(feature_id="sso")
    assert merged["seats"].value == 10


def test_inherit_uses_the_parents_effective_entitlements_including_grandparents() -> None:
    parent = make_plan(
        "team",
        "basic",
        entitlements=[],
        effective_entitlements=[Entitlement(feature_id="sso")],
    )

    result = inherit([], parent)

    assert result == [Entitlement(feature_id="sso")]


# --- parent chains ----------------------------------------------------------------------------


def _loader(*plans: Plan) -> dict[str, Plan]:
    return {plan.id: plan for plan in plans}


def test_check_parent_chain_returns_the_existing_parent() -> None:
    plans = _loader(make_plan("basic"), make_plan("team", "basic"))

    parent = check_parent_chain("enterprise", "team", plans.get)

    assert parent == plans["team"]


def test_check_parent_chain_refuses_a_missing_parent_as_invalid_input() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_parent_chain("pro", "ghost", _loader(make_plan("basic")).get)

    assert caught.value.field == "parentPlanId"
    assert caught.value.code == "unknown_plan"


def test_check_parent_chain_refuses_a_plan_becoming_its_own_descendants_child() -> None:
    # basic <- team <- enterprise; now basic wants enterprise as its parent.
    plans = _loader(make_plan("basic"), make_plan("team", "basic"), make_plan("enterprise", "team"))

    with pytest.raises(RuleViolation) as caught:
        check_parent_chain("basic", "enterprise", plans.get)

    assert caught.value.code == "parent_cycle"
    assert caught.value.field == "parentPlanId"


def test_check_parent_chain_refuses_a_plan_as_its_own_parent() -> None:
    with pytest.raises(RuleViolation) as caught:
        check_parent_chain("basic", "basic", _loader(make_plan("basic")).get)

    assert caught.value.code == "parent_cycle"


def _chain(length: int) -> dict[str, Plan]:
    """Plans p1 <- p2 <- ... <- p<length>, p1 being the root."""
    return _loader(
        *(make_plan(f"p{i}", f"p{i - 1}" if i > 1 else None) for i in range(1, length + 1))
    )


def test_check_parent_chain_allows_a_chain_of_max_depth_plans() -> None:
    ancestors = MAX_PARENT_DEPTH - 1
    plans = _chain(ancestors)

    parent = check_parent_chain("new", f"p{ancestors}", plans.get)

    assert parent.id == f"p{ancestors}"


def test_check_parent_chain_refuses_a_chain_deeper_than_max_depth() -> None:
    plans = _chain(MAX_PARENT_DEPTH)

    with pytest.raises(RuleViolation) as caught:
        check_parent_chain("new", f"p{MAX_PARENT_DEPTH}", plans.get)

    assert caught.value.code == "parent_chain_too_deep"
    assert caught.value.field == "parentPlanId"


def test_check_parent_chain_terminates_on_a_stored_loop_that_excludes_the_plan() -> None:
    plans = _loader(make_plan("x", "y"), make_plan("y", "x"))
    calls: list[str] = []

    def load(plan_id: str) -> Plan | None:
        calls.append(plan_id)
        return plans.get(plan_id)

    with pytest.raises(RuleViolation) as caught:
        check_parent_chain("new", "x", load)

    assert caught.value.code == "parent_chain_too_deep"
    assert len(calls) <= MAX_PARENT_DEPTH + 1


@pytest.mark.parametrize("feature", [BOOLEAN, METERED, NUMERIC], ids=lambda f: f.type)
def test_an_archived_feature_cannot_be_granted_in_a_new_version(feature) -> None:
    archived = feature.model_copy(update={"status": "archived"})
    amount = {"boolean": {}, "metered": {"limit": 5}, "numeric": {"value": 5}}[feature.type]
    entitlement = Entitlement(feature_id=feature.id, **amount)
    with pytest.raises(InvalidInput) as caught:
        normalize_entitlement(entitlement, archived, "entitlements.3")
    assert caught.value.code == "feature_archived"
    assert caught.value.field == "entitlements.3.featureId"
    assert normalize_entitlement(entitlement, feature, "entitlements.3").feature_id == feature.id


# --- overage prices ---------------------------------------------------------------------------

USD_2 = [{"currency": "USD", "amount": 2}]


def test_overage_prices_go_with_a_soft_metered_limit() -> None:
    kept = normalize_entitlement(
        Entitlement.model_validate(
            {"featureId": "api-calls", "limit": 10, "enforcement": "soft", "overagePrices": USD_2}
        ),
        METERED,
        "entitlements.0",
    )
    assert [(p.currency, p.amount) for p in kept.overage_prices] == [("USD", 2)]


@pytest.mark.parametrize(
    ("feature_id", "given"),
    [
        ("api-calls", {"limit": 10, "overagePrices": USD_2}),  # hard by default
        ("api-calls", {"unlimited": True, "enforcement": "soft", "overagePrices": USD_2}),
        ("api-calls", {"limit": 10, "enforcement": "soft", "overagePrices": USD_2 * 2}),
        ("seats", {"value": 3, "overagePrices": USD_2}),
        ("sso", {"overagePrices": USD_2}),
    ],
)
def test_overage_prices_anywhere_else_are_refused(feature_id: str, given: dict[str, Any]) -> None:
    entitlement = Entitlement.model_validate({"featureId": feature_id, **given})
    with pytest.raises(InvalidInput) as caught:
        normalize_entitlement(entitlement, FEATURES[feature_id], "entitlements.0")
    assert caught.value.field == "entitlements.0.overagePrices"
