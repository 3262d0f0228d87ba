"""Spend limits over HTTP: set and read by the server, the entitlement check and the consume
route refusing a soft-limited feature exactly when its overage would pass the limit, a portal
token setting the limit where the deployment allows it (the local stack does) and refused
where it does not, `monthlyLimit: null` removing it, and no subscription refused.

The plan includes 10 units, each unit past them costs 5 US cents; expected amounts are hand
arithmetic beside them.
"""

import dataclasses
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from billfold_lambda import dependencies as deps

from tests.conftest import ApiClient
from tests.e2e.helpers import assert_error

INCLUDED = 10
UNIT = 5
"""Each unit past the included 10 costs 5 US cents."""


@pytest.fixture
def feature_id(server: ApiClient) -> str:
    uid = uuid.uuid4().hex[:8]
    feature = {
        "id": f"calls-{uid}",
        "name": "Calls",
        "type": "metered",
        "unit": {"singular": "call", "plural": "calls"},
    }
    assert server.post("/v1/features", json=feature).status_code == 201
    return str(feature["id"])


@pytest.fixture
def customer(server: ApiClient, create_customer: Callable[..., Any], feature_id: str) -> str:
    """A customer subscribed to a $10.00 plan with the feature soft limited and priced past it."""
    plan = {
        "id": f"spend-{uuid.uuid4().hex[:8]}",
        "name": "Spend",
        "prices": [{"billingPeriod": "monthly", "currency": "USD", "amount": 1_000}],
        "entitlements": [
            {
                "featureId": feature_id,
                "limit": INCLUDED,
                "enforcement": "soft",
                "overagePrices": [{"currency": "USD", "amount": UNIT}],
            }
        ],
    }
    created = server.post("/v1/plans", json=plan)
    assert created.status_code == 201, created.text
    customer_id: str = create_customer()["id"]
    order = {"planId": plan["id"], "currency": "USD", "trialDays": 0}
    subscribed = server.post(f"/v1/customers/{customer_id}/subscription", json=order)
    assert subscribed.status_code == 201, subscribed.text
    return customer_id


def _path(customer_id: str) -> str:
    return f"/v1/customers/{customer_id}/spend-limit"


def _set(client: ApiClient, customer_id: str, limit: int | None) -> Any:
    return client.put(_path(customer_id), json={"monthlyLimit": limit})


def _check(server: ApiClient, customer_id: str, feature_id: str, requested: int) -> Any:
    response = server.get(
        f"/v1/customers/{customer_id}/entitlements/{feature_id}", params={"requested": requested}
    )
    assert response.status_code == 200, response.text
    return response.json()


def _consume(server: ApiClient, customer_id: str, feature_id: str, amount: int) -> Any:
    return server.post(
        f"/v1/customers/{customer_id}/usage/{feature_id}/consume",
        json={"amount": amount, "idempotencyKey": uuid.uuid4().hex},
    )


def test_the_server_sets_a_limit_and_reads_it_back(server: ApiClient, customer: str) -> None:
    saved = _set(server, customer, 50)

    assert saved.status_code == 200, saved.text
    expected = {
        "customerId": customer,
        "monthlyLimit": 50,
        "currency": "USD",  # the subscription's
        "overage": 0,
        "autoRecharge": 0,
        "remaining": 50,
        "reached": False,
        "customerMaySet": True,  # the local stack lets customers set it
    }
    assert saved.json() == expected
    assert server.get(_path(customer)).json() == expected


def test_a_check_is_refused_exactly_when_the_extra_overage_would_pass_the_limit(
    server: ApiClient, customer: str, feature_id: str
) -> None:
    assert _set(server, customer, 50).status_code == 200
    assert _consume(server, customer, feature_id, INCLUDED).status_code == 200  # costs nothing

    exactly = _check(server, customer, feature_id, 10)  # 10 x 5 = 50: exactly the limit
    past = _check(server, customer, feature_id, 11)  # 11 x 5 = 55: 5 past it

    assert (exactly["hasAccess"], exactly.get("reason")) == (True, None)
    assert (past["hasAccess"], past["reason"]) == (False, "spend_limit_reached")

    assert _consume(server, customer, feature_id, 10).status_code == 200  # 50 of overage
    spent = server.get(_path(customer)).json()
    assert (spent["overage"], spent["remaining"], spent["reached"]) == (50, 0, True)
    one_more = _check(server, customer, feature_id, 1)  # 50 + 5 = 55 > 50
    assert (one_more["hasAccess"], one_more["reason"]) == (False, "spend_limit_reached")
    assert one_more["usage"] == 20


def test_the_consume_route_refuses_use_past_the_limit_and_counts_nothing(
    server: ApiClient, customer: str, feature_id: str
) -> None:
    assert _set(server, customer, 12).status_code == 200
    # 12 units: 2 past the included 10 x 5 = 10, within 12
    assert _consume(server, customer, feature_id, 12).status_code == 200

    refused = _consume(server, customer, feature_id, 1)  # 10 + 5 = 15 > 12

    assert_error(refused, 422, "spend_limit_reached")
    assert _check(server, customer, feature_id, 0)["usage"] == 12
    assert server.get(_path(customer)).json()["overage"] == 10


def test_a_portal_token_sets_the_limit_where_the_deployment_allows_it(
    server: ApiClient,
    client_with: Callable[[str | None], ApiClient],
    portal_token: Callable[..., str],
    customer: str,
) -> None:
    assert deps.settings().customer_spend_limits  # the local stack lets customers set it
    portal = client_with(portal_token(customer))

    saved = _set(portal, customer, 300)

    assert saved.status_code == 200, saved.text
    assert (saved.json()["monthlyLimit"], saved.json()["currency"]) == (300, "USD")
    assert portal.get(_path(customer)).json()["monthlyLimit"] == 300
    assert server.get(_path(customer)).json()["monthlyLimit"] == 300


def test_a_portal_token_is_refused_where_only_the_seller_sets_limits(
    server: ApiClient,
    client_with: Callable[[str | None], ApiClient],
    portal_token: Callable[..., str],
    customer: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sellers_only = dataclasses.replace(deps.settings(), customer_spend_limits=False)
    monkeypatch.setattr(deps, "settings", lambda: sellers_only)
    portal = client_with(portal_token(customer))

    refused = _set(portal, customer, 300)

    assert_error(refused, 403, "seller_only_field", "monthlyLimit")
    assert server.get(_path(customer)).json()["monthlyLimit"] is None  # nothing was saved
    assert _set(server, customer, 300).status_code == 200  # the server still may


def test_a_null_limit_removes_it_and_soft_limits_are_soft_again(
    server: ApiClient, customer: str, feature_id: str
) -> None:
    assert _set(server, customer, 0).status_code == 200
    assert _consume(server, customer, feature_id, INCLUDED).status_code == 200
    assert _check(server, customer, feature_id, 1)["reason"] == "spend_limit_reached"

    removed = _set(server, customer, None)

    assert removed.status_code == 200, removed.text
    assert removed.json() == {
        "customerId": customer,
        "monthlyLimit": None,
        "currency": None,
        "overage": 0,
        "autoRecharge": 0,
        "remaining": None,
        "reached": False,
        "customerMaySet": True,
    }
    assert server.get(_path(customer)).json()["monthlyLimit"] is None
    assert _check(server, customer, feature_id, 1)["hasAccess"] is True
    assert _consume(server, customer, feature_id, 1).status_code == 200


def test_a_limit_needs_a_subscription(
    server: ApiClient, create_customer: Callable[..., Any]
) -> None:
    customer_id: str = create_customer(card=None)["id"]

    # the customer exists and the body is valid: the rule (a limit is in the subscription's
    # currency) refuses it, as the usage routes refuse a customer without one (422)
    assert_error(_set(server, customer_id, 100), 422, "no_subscription")


def test_a_limit_below_what_this_month_already_spent_is_refused(
    server: ApiClient, customer: str, feature_id: str
) -> None:
    report = {
        "customerId": customer,
        "featureId": feature_id,
        "value": INCLUDED + 8,
        "idempotencyKey": uuid.uuid4().hex,
    }
    assert server.post("/v1/usage", json=report).status_code == 200
    # 8 units over the included 10 at 5 cents: 40 already count toward any limit

    assert_error(_set(server, customer, 39), 422, "rule_violation", "monthlyLimit")
    assert _set(server, customer, 40).json()["reached"] is True
