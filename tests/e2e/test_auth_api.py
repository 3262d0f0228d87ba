"""Credentials over HTTP: server keys, portal tokens confined to their routes, and 401/403/404."""

import base64
import json
import re
import secrets
from datetime import timedelta

import pytest

from billfold_lambda import dependencies as deps
from billfold_lambda.routes import ROUTES, Access

from billfold.auth.api_keys import SERVER_KEY_PREFIX
from billfold.auth.portal_tokens import PORTAL_TOKEN_PREFIX, mint_portal_token
from tests.e2e.helpers import assert_error

SERVER_ONLY = [r for r in ROUTES if r.access is Access.SERVER]
PORTAL_ROUTES = [r for r in ROUTES if r.access is Access.SERVER_OR_PORTAL]
WITH_CREDENTIAL = [r for r in ROUTES if r.access in (Access.SERVER, Access.SERVER_OR_PORTAL)]
SAMPLE_IDS = {"planId": "pro", "addonId": "extra-seats", "featureId": "api-calls"}


def _fill(path: str, customer_id: str) -> str:
    """The route's path with the customer's id and sample ids for its other parameters."""
    path = path.replace("{customerId}", customer_id)
    for name, value in SAMPLE_IDS.items():
        path = path.replace("{" + name + "}", value)
    return re.sub(r"{\w+}", "sample-id", path)


def _flip(char: str) -> str:
    return "B" if char == "A" else "A"


def test_every_route_needs_a_credential(anonymous, create_customer):
    customer = create_customer()
    for route in WITH_CREDENTIAL:
        response = anonymous.request(route.method, _fill(route.path, customer["id"]), json={})
        assert_error(response, 401, "unauthorized", None)


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param("Bearer " + SERVER_KEY_PREFIX + "x" * 40, id="unknown-server-key"),
        pytest.param("Bearer garbage-" + secrets.token_hex(8), id="bearer-garbage"),
        pytest.param("Bearer ", id="bearer-empty"),
        pytest.param("Basic " + base64.b64encode(b"user:pass").decode(), id="basic-scheme"),
        pytest.param(PORTAL_TOKEN_PREFIX + "abc.def", id="no-scheme"),
    ],
)
def test_bad_credentials_are_401(anonymous, authorization):
    response = anonymous.get("/v1/plans", headers={"Authorization": authorization})

    assert_error(response, 401, "unauthorized", None)


def test_server_key_with_any_scheme_case_is_accepted(anonymous, local_api):
    response = anonymous.get(
        "/v1/plans", headers={"Authorization": f"bearer {local_api.server_key}"}
    )

    assert response.status_code == 200


def test_server_key_with_one_character_changed_is_401(anonymous, local_api):
    key = local_api.server_key
    wrong = key[:-1] + _flip(key[-1])

    response = anonymous.get("/v1/plans", headers={"Authorization": f"Bearer {wrong}"})

    assert_error(response, 401, "unauthorized")


@pytest.mark.parametrize("path", ["/v1/nothing", "/v2/plans", "/v1/plans/pro/unarchive", "/"])
def test_unknown_route_is_404_route_not_found(server, anonymous, path):
    assert_error(server.get(path), 404, "route_not_found", None)
    assert_error(anonymous.post(path, json={}), 404, "route_not_found", None)


def test_known_path_with_another_method_is_404(server):
    assert_error(server.delete("/v1/plans"), 404, "route_not_found")
    assert_error(server.request("PUT", "/v1/features/api-calls", json={}), 404, "route_not_found")


def test_portal_token_may_list_plans_and_addons(client_with, portal_token, create_customer):
    customer = create_customer()
    portal = client_with(portal_token(customer["id"]))

    for path in ("/v1/plans", "/v1/addons"):
        response = portal.get(path, params={"limit": 5})
        assert response.status_code == 200, (path, response.text)
        assert set(response.json()) == {"items", "nextCursor"}
    plans = portal.get("/v1/plans", params={"limit": 100}).json()["items"]
    assert {"free", "starter", "pro"} <= {p["id"] for p in plans}
    for route in PORTAL_ROUTES:
        if route.method == "GET":
            response = portal.get(_fill(route.path, customer["id"]))
            assert response.status_code not in (401, 403), (route.operation, response.text)


@pytest.mark.parametrize("route", SERVER_ONLY, ids=lambda r: r.operation)
def test_portal_token_is_forbidden_on_server_only_routes(
    route, client_with, portal_token, create_customer
):
    customer = create_customer()
    portal = client_with(portal_token(customer["id"]))

    response = portal.request(route.method, _fill(route.path, customer["id"]), json={})

    assert_error(response, 403, "forbidden", None)


def test_portal_token_cannot_read_another_customer(client_with, portal_token, create_customer):
    mine, theirs = create_customer(), create_customer()
    portal = client_with(portal_token(mine["id"]))

    own = portal.get(f"/v1/customers/{mine['id']}")
    other = portal.get(f"/v1/customers/{theirs['id']}")

    assert_error(other, 403, "forbidden")
    assert other.json() == own.json()
    assert theirs["email"] not in other.text


def test_portal_token_writes_change_nothing(
    server, client_with, portal_token, create_customer, uid
):
    customer = create_customer()
    portal = client_with(portal_token(customer["id"]))
    feature = {"id": f"sneaky-{uid}", "name": "Sneaky", "type": "boolean"}
    plan = {"id": f"sneaky-{uid}", "name": "Sneaky"}
    new_customer = {"id": f"sneaky-{uid}", "email": "s@example.com", "name": "S"}

    attempts = [
        portal.post("/v1/features", json=feature),
        portal.post("/v1/plans", json=plan),
        portal.post("/v1/customers", json=new_customer),
        portal.patch(f"/v1/customers/{customer['id']}", json={"name": "Hijacked"}),
        portal.patch("/v1/plans/starter", json={"name": "Hijacked"}),
        portal.post("/v1/plans/starter/archive"),
    ]

    for response in attempts:
        assert_error(response, 403, "forbidden")
    assert server.get(f"/v1/features/sneaky-{uid}").status_code == 404
    assert server.get(f"/v1/plans/sneaky-{uid}").status_code == 404
    assert server.get(f"/v1/customers/sneaky-{uid}").status_code == 404
    assert server.get(f"/v1/customers/{customer['id']}").json() == customer
    starter = server.get("/v1/plans/starter").json()
    assert (starter["name"], starter["status"]) == ("Starter", "active")


def test_expired_portal_token_is_401(anonymous, portal_token, create_customer):
    token = portal_token(create_customer()["id"], expires_in=timedelta(seconds=-1))

    response = anonymous.get("/v1/plans", headers={"Authorization": f"Bearer {token}"})

    assert_error(response, 401, "unauthorized", None)


def test_portal_token_with_a_tampered_signature_is_401(anonymous, portal_token, create_customer):
    token = portal_token(create_customer()["id"])
    payload, signature = token.split(".")
    middle = len(signature) // 2
    tampered = f"{payload}.{signature[:middle]}{_flip(signature[middle])}{signature[middle + 1 :]}"

    response = anonymous.get("/v1/plans", headers={"Authorization": f"Bearer {tampered}"})

    assert_error(response, 401, "unauthorized")


def test_portal_token_with_a_swapped_customer_is_401(anonymous, portal_token, create_customer):
    token = portal_token(create_customer()["id"])
    payload, signature = token.removeprefix(PORTAL_TOKEN_PREFIX).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = create_customer()["id"]
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    forged = f"{PORTAL_TOKEN_PREFIX}{forged_payload}.{signature}"

    response = anonymous.get("/v1/plans", headers={"Authorization": f"Bearer {forged}"})

    assert_error(response, 401, "unauthorized")


def test_portal_token_signed_with_another_secret_is_401(anonymous, create_customer):
    expires_at = deps.clock().now() + timedelta(hours=1)
    token = mint_portal_token(secrets.token_bytes(32), create_customer()["id"], expires_at)

    response = anonymous.get("/v1/plans", headers={"Authorization": f"Bearer {token}"})

    assert_error(response, 401, "unauthorized")


def test_genuine_portal_token_control_is_accepted(anonymous, portal_token, create_customer):
    token = portal_token(create_customer()["id"], expires_in=timedelta(minutes=5))

    response = anonymous.get("/v1/plans", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
