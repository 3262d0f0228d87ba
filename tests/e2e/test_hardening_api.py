"""Hostile and concurrent use of the API: what a careless or malicious client can send, and
what parallel callers see."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from tests.e2e.helpers import assert_error


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deep for the parser"),
        ('{"id": ' + "9" * 5000 + "}", "an integer longer than Python parses"),
    ],
    ids=["deep", "long-integer"],
)
def test_bodies_the_json_parser_cannot_take_are_a_400(server, body, why):
    response = server.post("/v1/plans", data=body.encode())
    assert_error(response, 400, "malformed_json")


@pytest.mark.parametrize(
    ("nested", "field"),
    [
        (
            {
                "prices": [
                    {
                        "billingPeriod": "monthly",
                        "currency": "USD",
                        "amount": 100,
                        "amountDecimal": "1",
                    }
                ]
            },
            "prices.0.amountDecimal",
        ),
        (
            {"entitlements": [{"featureId": "api-calls", "limit": 10, "resetPeriode": "daily"}]},
            "entitlements.0.resetPeriode",
        ),
    ],
    ids=["price-typo", "entitlement-typo"],
)
def test_a_typo_inside_a_price_or_entitlement_is_refused_not_dropped(server, uid, nested, field):
    response = server.post("/v1/plans", json={"id": f"typo-{uid}", "name": "Typo", **nested})
    assert_error(response, 400, "invalid_request", field)
    assert server.get(f"/v1/plans/typo-{uid}").status_code == 404


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/features/" + "a" * 1500, "featureId"),
        ("/v1/plans/Not_A_Catalog_Id", "planId"),
        ("/v1/customers/" + "c" * 200, "customerId"),
    ],
    ids=["long-feature-id", "uppercase-plan-id", "long-customer-id"],
)
def test_malformed_ids_in_the_path_are_a_400_naming_the_parameter(server, path, field):
    assert_error(server.get(path), 400, "invalid_request", field)


def test_parallel_requests_each_get_their_own_answer(server, uid):
    ids = [f"par-{uid}-{n}" for n in range(12)]
    for feature_id in ids:
        body = {"id": feature_id, "name": feature_id, "type": "boolean"}
        assert server.post("/v1/features", json=body).status_code == 201

    def fetch(feature_id: str) -> str:
        return server.get(f"/v1/features/{feature_id}").json()["id"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(fetch, ids * 5))
    assert answers == ids * 5


def test_a_cached_portal_token_stops_working_once_the_cache_and_the_token_expire(
    local_api, client_with, portal_token, advance_clock
):
    client = client_with(portal_token("demo-customer", expires_in=timedelta(minutes=1)))
    assert client.get("/v1/plans").status_code == 200
    advance_clock(seconds=60 + 300 + 1)
    assert_error(client.get("/v1/plans"), 401, "unauthorized")
