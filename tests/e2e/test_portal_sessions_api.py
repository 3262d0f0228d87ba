"""Portal sessions, saving a card a SetupIntent collected, and CORS, through the local API."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests

from billfold_lambda import dependencies as deps

from billfold.auth.portal_tokens import PORTAL_TOKEN_PREFIX
from local.dev import LocalApi
from tests.conftest import ApiClient
from tests.e2e.helpers import assert_error


def _session(server: ApiClient, customer_id: str) -> dict[str, Any]:
    response = server.post("/v1/portal-sessions", json={"customerId": customer_id})
    assert response.status_code == 201, response.text
    session: dict[str, Any] = response.json()
    return session


def test_a_portal_session_is_a_token_for_that_customer_in_the_portal_url(
    server: ApiClient,
    local_api: LocalApi,
    create_customer: Callable[..., dict[str, Any]],
    client_with: Callable[[str | None], ApiClient],
) -> None:
    customer = create_customer()

    session = _session(server, customer["id"])

    assert set(session) == {"customerId", "token", "url", "expiresAt"}
    assert session["token"].startswith(PORTAL_TOKEN_PREFIX)
    url = urlsplit(session["url"])
    assert session["url"].startswith(local_api.portal_url)
    assert url.query == ""
    assert url.fragment == f"token={session['token']}"
    lifetime = datetime.fromisoformat(session["expiresAt"]) - deps.clock().now()
    assert timedelta(hours=11) < lifetime <= timedelta(hours=12)  # the local stack: 720 min
    own = client_with(session["token"]).get(f"/v1/customers/{customer['id']}/payment-methods")
    assert own.status_code == 200, own.text
    assert [card["last4"] for card in own.json()["items"]] == ["4242"]


def test_an_unknown_customer_gets_no_session(server: ApiClient) -> None:
    response = server.post("/v1/portal-sessions", json={"customerId": "nobody-here"})

    assert_error(response, 404, "customer_not_found")


def test_a_bad_session_request_names_the_field(server: ApiClient) -> None:
    assert_error(server.post("/v1/portal-sessions", json={}), 400, None, "customerId")
    bad_id = server.post("/v1/portal-sessions", json={"customerId": "has spaces"})
    assert_error(bad_id, 400, None, "customerId")
    extra = server.post("/v1/portal-sessions", json={"customerId": "a", "admin": True})
    assert_error(extra, 400, None, "admin")


def test_a_portal_token_cannot_open_sessions(
    server: ApiClient,
    create_customer: Callable[..., dict[str, Any]],
    client_with: Callable[[str | None], ApiClient],
) -> None:
    customer = create_customer()
    portal = client_with(_session(server, customer["id"])["token"])

    response = portal.post("/v1/portal-sessions", json={"customerId": customer["id"]})

    assert_error(response, 403, "forbidden", None)


def test_saving_a_setup_intent_that_was_not_confirmed_is_refused(
    server: ApiClient, create_customer: Callable[..., dict[str, Any]]
) -> None:
    customer = create_customer(card=None)
    base = f"/v1/customers/{customer['id']}/payment-methods"
    intent = server.post(f"{base}/setup-intent").json()["clientSecret"].split("_secret_")[0]

    response = server.post(base, json={"setupIntentId": intent})

    assert_error(response, 422, "setup_intent_not_succeeded", "setupIntentId")
    assert server.get(base).json()["items"] == []


def test_saving_an_unknown_setup_intent_is_404_and_a_malformed_id_400(
    server: ApiClient, create_customer: Callable[..., dict[str, Any]]
) -> None:
    base = f"/v1/customers/{create_customer()['id']}/payment-methods"

    unknown = server.post(base, json={"setupIntentId": "seti_unknown123"})
    malformed = server.post(base, json={"setupIntentId": "pm_123"})

    assert_error(unknown, 404, "setup_intent_not_found", "setupIntentId")
    assert_error(malformed, 400, None, "setupIntentId")


def test_a_browser_preflight_is_answered_without_a_credential(local_api: LocalApi) -> None:
    response = requests.options(
        f"{local_api.url}/v1/customers/anyone/subscription",
        headers={
            "Origin": "https://app.example.com",
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
        timeout=10,
    )

    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "PATCH" in response.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]


def test_answers_and_errors_carry_cors_headers(
    anonymous: ApiClient, server: ApiClient, create_customer: Callable[..., dict[str, Any]]
) -> None:
    origin = {"Origin": "https://app.example.com"}
    customer = create_customer()

    answer = server.get(f"/v1/customers/{customer['id']}", headers=origin)
    invalid = server.post("/v1/portal-sessions", json={}, headers=origin)
    unauthorized = anonymous.get("/v1/plans", headers=origin)

    for response in (answer, invalid, unauthorized):
        assert response.headers.get("Access-Control-Allow-Origin") == "*", response.text
    assert "Access-Control-Allow-Origin" not in server.get("/v1/plans").headers
