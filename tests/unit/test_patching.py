"""PATCH semantics: merge the fields given onto the current document, then validate the whole."""

import pytest

from billfold.catalog.models import (
    Feature,
    FeatureCreate,
    FeatureUnit,
    FeatureUpdate,
    PlanCreate,
    PlanUpdate,
    Price,
)
from billfold.customers.models import Customer, CustomerCreate, CustomerUpdate
from billfold.errors import InvalidInput
from billfold.patching import merge_patch, unchanged
from tests.unit.factories import NOW, make_feature, make_plan


def _numeric_feature() -> Feature:
    return make_feature("seats", "numeric").model_copy(
        update={"description": "Seats in the workspace", "metadata": {"team": "growth"}}
    )


def test_merge_patch_keeps_every_field_the_patch_does_not_mention() -> None:
    current = _numeric_feature()

    merged = merge_patch(current, FeatureUpdate(name="Team seats"), FeatureCreate)

    assert isinstance(merged, FeatureCreate)
    assert merged.name == "Team seats"
    assert merged.id == "seats"
    assert merged.type == "numeric"
    assert merged.description == "Seats in the workspace"
    assert merged.unit == current.unit
    assert merged.metadata == {"team": "growth"}


def test_merge_patch_with_an_empty_patch_reproduces_the_current_request() -> None:
    current = _numeric_feature()

    merged = merge_patch(current, FeatureUpdate(), FeatureCreate)

    assert unchanged(current, merged)


def test_merge_patch_clears_an_optional_field_sent_as_null() -> None:
    current = _numeric_feature()
    assert current.unit is not None

    merged = merge_patch(current, FeatureUpdate.model_validate({"unit": None}), FeatureCreate)

    assert merged.unit is None


def test_merge_patch_clears_a_plans_parent_sent_as_null() -> None:
    current = make_plan("team", "basic")

    merged = merge_patch(current, PlanUpdate.model_validate({"parentPlanId": None}), PlanCreate)

    assert merged.parent_plan_id is None
    assert merged.prices == current.prices


def test_merge_patch_replaces_lists_wholesale() -> None:
    current = make_plan("pro")
    euro = Price(billing_period="annual", currency="EUR", amount=19_000)

    merged = merge_patch(current, PlanUpdate(prices=[euro]), PlanCreate)

    assert merged.prices == [euro]


def test_merge_patch_refuses_null_for_a_required_field_naming_it() -> None:
    with pytest.raises(InvalidInput) as caught:
        merge_patch(make_plan("pro"), PlanUpdate.model_validate({"name": None}), PlanCreate)

    assert caught.value.field == "name"
    assert caught.value.code == "invalid_request"


def test_merge_patch_refuses_a_result_the_create_model_rejects() -> None:
    metered = make_feature("api-calls", "metered")

    with pytest.raises(InvalidInput, match="a metered feature needs a unit"):
        merge_patch(metered, FeatureUpdate.model_validate({"unit": None}), FeatureCreate)


def test_merge_patch_refuses_duplicate_prices_that_only_the_whole_request_can_see() -> None:
    usd = Price(billing_period="monthly", currency="USD", amount=100)

    with pytest.raises(InvalidInput, match="listed twice"):
        merge_patch(make_plan("pro"), PlanUpdate(prices=[usd, usd]), PlanCreate)


def test_null_resets_a_field_with_a_default_to_it() -> None:
    current = make_plan("pro").model_copy(
        update={"metadata": {"tier": "gold"}, "downgrade_timing": "immediate", "trial_days": 14}
    )
    patch = PlanUpdate.model_validate(
        {"metadata": None, "downgradeTiming": None, "trialDays": None}
    )

    merged = merge_patch(current, patch, PlanCreate)

    assert (merged.metadata, merged.downgrade_timing) == ({}, "period_end")
    assert merged.trial_days == PlanCreate.model_fields["trial_days"].default


def test_merge_patch_of_a_customer_keeps_its_id_and_changes_its_email() -> None:
    current = Customer(
        id="acme-42",
        email="old@acme.test",
        name="Acme",
        metadata={},
        stripe_customer_id="cus_123",
        created_at=NOW,
        updated_at=NOW,
    )

    merged = merge_patch(current, CustomerUpdate(email="new@acme.test"), CustomerCreate)

    assert merged == CustomerCreate(id="acme-42", email="new@acme.test", name="Acme")


def test_unchanged_is_true_when_every_proposed_field_has_its_current_value() -> None:
    current = _numeric_feature()
    same = FeatureCreate(
        id="seats",
        name=current.name,
        description=current.description,
        type="numeric",
        unit=current.unit,
        metadata={"team": "growth"},
    )

    assert unchanged(current, same)


def test_unchanged_is_false_when_any_proposed_field_differs() -> None:
    current = _numeric_feature()
    base = merge_patch(current, FeatureUpdate(), FeatureCreate)

    assert not unchanged(current, base.model_copy(update={"name": "Other"}))
    assert not unchanged(current, base.model_copy(update={"metadata": {}}))
    assert not unchanged(
        current, base.model_copy(update={"unit": FeatureUnit(singular="a", plural="b")})
    )
