"""`same_terms`: whether two published versions sell the same thing."""

from datetime import timedelta

from billfold.catalog.models import Entitlement, Price
from billfold.catalog.versions import same_terms
from tests.unit.factories import NOW, make_addon, make_plan


def test_same_terms_ignores_version_status_and_timestamps() -> None:
    v1 = make_plan("pro", entitlements=[Entitlement(feature_id="sso")])
    v2 = v1.model_copy(
        update={
            "version": 7,
            "status": "archived",
            "created_at": NOW - timedelta(days=30),
            "published_at": NOW + timedelta(days=1),
        }
    )

    assert same_terms(v1, v2)


def test_same_terms_sees_a_price_change() -> None:
    v1 = make_plan("pro")
    v2 = v1.model_copy(
        update={"prices": [Price(billing_period="monthly", currency="USD", amount=2900)]}
    )

    assert not same_terms(v1, v2)


def test_same_terms_sees_an_added_currency() -> None:
    v1 = make_plan("pro")
    v2 = v1.model_copy(
        update={
            "prices": [*v1.prices, Price(billing_period="monthly", currency="EUR", amount=1900)]
        }
    )

    assert not same_terms(v1, v2)


def test_same_terms_sees_an_entitlement_limit_change() -> None:
    v1 = make_plan("pro", entitlements=[Entitlement(feature_id="api-calls", limit=100)])
    v2 = make_plan("pro", entitlements=[Entitlement(feature_id="api-calls", limit=101)])

    assert not same_terms(v1, v2)


def test_same_terms_sees_an_inherited_entitlement_change() -> None:
    v1 = make_plan("pro", "basic", effective_entitlements=[Entitlement(feature_id="sso")])
    v2 = make_plan("pro", "basic", effective_entitlements=[])

    assert not same_terms(v1, v2)


def test_same_terms_sees_a_name_or_trial_change() -> None:
    v1 = make_plan("pro")

    assert not same_terms(v1, v1.model_copy(update={"name": "Professional"}))
    assert not same_terms(v1, v1.model_copy(update={"trial_days": 14}))


def test_same_terms_for_addons_sees_accepted_plans_and_ignores_bookkeeping() -> None:
    v1 = make_addon("extra-seats")

    assert same_terms(v1, v1.model_copy(update={"version": 2, "published_at": NOW}))
    assert not same_terms(v1, v1.model_copy(update={"plan_ids": ["pro", "team"]}))
    assert not same_terms(v1, v1.model_copy(update={"max_quantity": 11}))
