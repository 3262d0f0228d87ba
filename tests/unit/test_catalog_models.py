"""Request and document models: shapes, identifiers and the checks pydantic does for us."""

from typing import Any

import pytest
from pydantic import ValidationError

from billfold.catalog.models import AddonCreate, FeatureCreate, PlanCreate, PlanUpdate
from billfold.customers.models import CustomerCreate
from tests.unit.factories import make_plan

USD_MONTHLY = {"billingPeriod": "monthly", "currency": "USD", "amount": 1900}


def _plan(**fields: Any) -> PlanCreate:
    return PlanCreate.model_validate({"id": "pro", "name": "Pro", **fields})


def _feature(**fields: Any) -> FeatureCreate:
    return FeatureCreate.model_validate({"id": "api-calls", "name": "API calls", **fields})


def _customer(customer_id: str) -> CustomerCreate:
    return CustomerCreate.model_validate(
        {"id": customer_id, "email": "billing@acme.test", "name": "Acme"}
    )


# --- plans and add-ons ------------------------------------------------------------------------


def test_plan_create_has_free_defaults() -> None:
    plan = _plan()

    assert plan.prices == []
    assert plan.entitlements == []
    assert plan.trial_days == 0
    assert plan.parent_plan_id is None
    assert plan.metadata == {}


def test_plan_create_refuses_two_prices_for_the_same_period_and_currency() -> None:
    duplicate = {**USD_MONTHLY, "amount": 2900}

    with pytest.raises(ValidationError, match="price 'monthly USD' is listed twice"):
        _plan(prices=[USD_MONTHLY, duplicate])


def test_plan_create_accepts_one_price_per_period_and_currency() -> None:
    prices = [
        USD_MONTHLY,
        {**USD_MONTHLY, "billingPeriod": "annual", "amount": 19_000},
        {**USD_MONTHLY, "currency": "EUR"},
    ]

    assert len(_plan(prices=prices).prices) == 3


def test_plan_create_refuses_two_entitlements_for_one_feature() -> None:
    entitlements = [{"featureId": "seats", "value": 1}, {"featureId": "seats", "value": 2}]

    with pytest.raises(ValidationError, match="entitlement for feature 'seats' is listed twice"):
        _plan(entitlements=entitlements)


def test_addon_create_refuses_duplicate_prices_too() -> None:
    with pytest.raises(ValidationError, match="listed twice"):
        AddonCreate.model_validate(
            {"id": "extra-seats", "name": "Extra seats", "prices": [USD_MONTHLY, USD_MONTHLY]}
        )


@pytest.mark.parametrize("trial_days", [-1, 731, 1.5, "7"])
def test_plan_create_refuses_out_of_range_or_non_integer_trial_days(trial_days: object) -> None:
    with pytest.raises(ValidationError) as caught:
        _plan(trialDays=trial_days)

    assert caught.value.errors()[0]["loc"] == ("trialDays",)


def test_plan_create_reads_camel_case_and_plan_dumps_camel_case() -> None:
    request = _plan(trialDays=14, parentPlanId="basic", displayOrder=3)
    assert (request.trial_days, request.parent_plan_id, request.display_order) == (14, "basic", 3)

    document = make_plan("pro", "basic").model_dump(mode="json", by_alias=True)
    assert {"trialDays", "parentPlanId", "effectiveEntitlements", "publishedAt"} <= set(document)
    assert document["prices"][0]["billingPeriod"] == "monthly"


def test_request_models_refuse_unknown_fields() -> None:
    with pytest.raises(ValidationError) as caught:
        _plan(trialDay=14)

    error = caught.value.errors()[0]
    assert error["type"] == "extra_forbidden"
    assert error["loc"] == ("trialDay",)


def test_update_models_refuse_unknown_fields_including_immutable_ids() -> None:
    with pytest.raises(ValidationError) as caught:
        PlanUpdate.model_validate({"id": "other"})

    assert caught.value.errors()[0]["type"] == "extra_forbidden"


def test_documents_are_frozen() -> None:
    plan = make_plan("pro")

    with pytest.raises(ValidationError):
        plan.name = "Changed"  # type: ignore[misc]


def test_name_is_stripped_and_must_not_be_blank() -> None:
    assert _plan(name="  Pro  ").name == "Pro"
    with pytest.raises(ValidationError):
        _plan(name="   ")


# --- catalog ids ------------------------------------------------------------------------------


@pytest.mark.parametrize("catalog_id", ["pro", "api-calls", "plan_2", "0", "a" * 64])
def test_catalog_ids_accept_lowercase_digits_dash_and_underscore(catalog_id: str) -> None:
    assert _plan(id=catalog_id).id == catalog_id


@pytest.mark.parametrize(
    "catalog_id",
    ["", "Pro", "-pro", "_pro", "pro plan", "pro#1", "pro/1", "pro*", "pro.1", "a" * 65, "pro\n"],
)
def test_catalog_ids_refuse_anything_unsafe_in_keys_urls_or_policies(catalog_id: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _plan(id=catalog_id)

    assert caught.value.errors()[0]["loc"] == ("id",)


def test_parent_plan_id_is_a_catalog_id_too() -> None:
    with pytest.raises(ValidationError) as caught:
        _plan(parentPlanId="Basic Plan")

    assert caught.value.errors()[0]["loc"] == ("parentPlanId",)


# --- customer ids -----------------------------------------------------------------------------


@pytest.mark.parametrize("customer_id", ["acme-42", "Acme.Inc_7", "0", "a" * 128])
def test_customer_ids_accept_letters_digits_dot_dash_underscore(customer_id: str) -> None:
    assert _customer(customer_id).id == customer_id


@pytest.mark.parametrize(
    "customer_id",
    ["", "acme#1", "acme/1", "acme*", "acme 1", " acme", ".acme", "-acme", "a" * 129, "acme\n"],
)
def test_customer_ids_refuse_key_url_and_policy_metacharacters(customer_id: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _customer(customer_id)

    assert caught.value.errors()[0]["loc"] == ("id",)


@pytest.mark.parametrize("email", ["billing@acme", "no-at-sign.test", "a b@acme.test", ""])
def test_customer_email_must_look_like_an_address(email: str) -> None:
    with pytest.raises(ValidationError) as caught:
        CustomerCreate.model_validate({"id": "acme", "email": email, "name": "Acme"})

    assert caught.value.errors()[0]["loc"] == ("email",)


# --- features ---------------------------------------------------------------------------------


def test_metered_feature_needs_a_unit() -> None:
    with pytest.raises(ValidationError, match="a metered feature needs a unit"):
        _feature(type="metered")


def test_metered_feature_with_a_unit_is_accepted() -> None:
    feature = _feature(type="metered", unit={"singular": "API call", "plural": "API calls"})

    assert feature.unit is not None
    assert feature.unit.plural == "API calls"


def test_boolean_feature_refuses_a_unit() -> None:
    with pytest.raises(ValidationError, match="a boolean feature has no unit"):
        _feature(type="boolean", unit={"singular": "x", "plural": "xs"})


@pytest.mark.parametrize("unit", [None, {"singular": "seat", "plural": "seats"}])
def test_numeric_feature_may_or_may_not_have_a_unit(unit: dict[str, str] | None) -> None:
    assert _feature(type="numeric", unit=unit).type == "numeric"


def test_feature_type_is_one_of_the_three_kinds() -> None:
    with pytest.raises(ValidationError) as caught:
        _feature(type="counter")

    assert caught.value.errors()[0]["loc"] == ("type",)


def test_metadata_is_limited_to_fifty_string_pairs() -> None:
    assert len(_feature(type="boolean", metadata={f"k{i}": "v" for i in range(50)}).metadata) == 50
    with pytest.raises(ValidationError):
        _feature(type="boolean", metadata={f"k{i}": "v" for i in range(51)})
    with pytest.raises(ValidationError):
        _feature(type="boolean", metadata={"k": 1})
