"""Checkout over HTTP: the seller opens a session, the visitor's token sees and completes only
that session, and completing twice starts one subscription."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from local.dev import LocalApi
from tests.conftest import ApiClient
from tests.e2e.helpers import assert_error, confirm_setup_intent


def _open(server: ApiClient, uid: str, **terms: Any) -> dict[str, Any]:
    body = {
        "customerId": f"visitor-{uid}",
        "customer": {"email": f"visitor-{uid}@example.com", "name": "Visitor"},
        "planId": "starter",
        "currency": "USD",
        **terms,
    }
    response = server.post("/v1/checkout-sessions", json=body)
    assert response.status_code == 201, response.text
    session: dict[str, Any] = response.json()
    return session


def test_a_new_customer_checks_out_and_is_subscribed_once(
    server: ApiClient, client_with: Callable[[str | None], ApiClient], uid: str
) -> None:
    session = _open(server, uid, trialDays=0)
    visitor = client_with(session["token"])
    base = f"/v1/checkout-sessions/{session['id']}"

    shown = visitor.get(base)
    intent = visitor.post(f"{base}/setup-intent")
    setup_intent = confirm_setup_intent(intent.json()["clientSecret"], "4242424242424242")
    with ThreadPoolExecutor(2) as pool:
        results = list(
            pool.map(
                lambda _: visitor.post(f"{base}/complete", json={"setupIntentId": setup_intent}),
                range(2),
            )
        )

    assert shown.status_code == 200, shown.text
    quote = shown.json()["quote"]
    assert quote["dueToday"] == quote["total"] == quote["subtotal"] > 0
    assert [r.status_code for r in results] == [200, 200], [r.text for r in results]
    subscriptions = {r.json()["subscription"]["id"] for r in results}
    assert len(subscriptions) == 1
    assert results[0].json()["session"]["status"] == "complete"
    assert results[0].json()["portalUrl"].startswith("http")
    live = server.get(f"/v1/customers/visitor-{uid}/subscription").json()
    assert live["id"] in subscriptions
    assert live["planId"] == "starter"


def test_the_checkout_token_reaches_only_its_own_session(
    server: ApiClient, client_with: Callable[[str | None], ApiClient], uid: str
) -> None:
    mine = _open(server, f"{uid}-a")
    other = _open(server, f"{uid}-b")
    visitor = client_with(mine["token"])

    assert visitor.get(f"/v1/checkout-sessions/{mine['id']}").status_code == 200
    assert_error(visitor.get(f"/v1/checkout-sessions/{other['id']}"), 403, "forbidden")
    assert_error(visitor.get("/v1/plans"), 403, "forbidden")
    assert_error(visitor.get(f"/v1/customers/visitor-{uid}-a/subscription"), 403, "forbidden")


def test_the_pricing_route_takes_a_publishable_key_and_shows_only_public_plans(
    local_api: LocalApi, client_with: Callable[[str | None], ApiClient]
) -> None:
    public = client_with(local_api.publishable_key)

    pricing = public.get("/v1/pricing")

    assert pricing.status_code == 200, pricing.text
    plans = {plan["id"]: plan for plan in pricing.json()["plans"]}
    assert {"free", "starter", "pro"} <= set(plans)
    assert plans["pro"]["includesPlanId"] == "starter"
    assert_error(public.get("/v1/plans"), 403, "forbidden")
    assert_error(public.post("/v1/checkout-sessions", json={}), 403, "forbidden")
