"""Publishable keys and checkout tokens over HTTP: a publishable key reads the public pricing
and nothing else, a checkout token reaches only its own session, and every other route, walked
with either, is refused and changes nothing. The pricing shows only what the seller made public.
"""

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import requests

from billfold_lambda import dependencies as deps
from billfold_lambda.routes import ROUTES, Access, Route

from billfold.checkout.tokens import mint_checkout_token
from local.dev import LocalApi
from local.events import HttpRequest
from local.gateway import LocalGateway
from local.seed import attach_test_card
from local.usage_plan import UsagePlan
from tests.conftest import ApiClient
from tests.e2e.helpers import assert_error

PRICING = next(r for r in ROUTES if r.operation == "get_pricing")
NOT_PUBLISHABLE = [r for r in ROUTES if r.access is not Access.PUBLISHABLE]
CHECKOUT_ROUTES = [r for r in ROUTES if r.access is Access.CHECKOUT]
PUBLIC_ROUTES = {"stripe_webhook": 400, "open_email_link": 401}
"""Routes with no key: their handler checks their own credential (a Stripe signature, a signed
link) and refuses a bearer credential's request as it would any other."""

WALK = uuid.uuid4().hex[:10]
"""The suffix of whatever a walked request would create: none of it may exist afterwards."""


def _bodies(victim: dict[str, str]) -> dict[str, Any]:
    """Valid bodies: with a server key each of these requests would act."""
    customer = victim["customerId"]
    return {
        "create_feature": {"id": f"walk-f-{WALK}", "name": "Walk", "type": "boolean"},
        "update_feature": {"name": "Walked"},
        "create_plan": {"id": f"walk-p-{WALK}", "name": "Walk", "public": True},
        "update_plan": {"name": "Walked", "public": True},
        "create_addon": {"id": f"walk-a-{WALK}", "name": "Walk"},
        "update_addon": {"name": "Walked"},
        "create_coupon": {
            "id": f"walk-c-{WALK}",
            "name": "All",
            "percentOff": 100,
            "duration": "forever",
        },
        "create_promotion_code": {"code": f"WALK{WALK.upper()}", "couponId": victim["couponId"]},
        "update_promotion_code": {"active": False},
        "create_customer": {
            "id": f"walk-cust-{WALK}",
            "email": f"walk-{WALK}@example.com",
            "name": "Walk",
        },
        "update_customer": {"name": "Walked"},
        "create_subscription": {"planId": "pro", "currency": "USD"},
        "preview_subscription_change": {"planId": "pro"},
        "change_subscription": {"planId": "pro"},
        "cancel_subscription": {"atPeriodEnd": False},
        "grant_promotion": {"featureId": "sso"},
        "report_usage": {
            "customerId": customer,
            "featureId": "api-calls",
            "value": 5,
            "idempotencyKey": f"walk-{WALK}",
        },
        "ingest_events": {
            "events": [
                {
                    "customerId": customer,
                    "eventName": "api-calls",
                    "idempotencyKey": f"walk-{WALK}",
                    "timestamp": victim["now"],
                }
            ]
        },
        "consume_usage": {"amount": 1, "idempotencyKey": f"walk-{WALK}"},
        "create_credit_type": {"id": f"walk-ct-{WALK}", "name": "Walk"},
        "grant_credits": {
            "creditTypeId": "ai-credits",
            "amount": 1000,
            "idempotencyKey": f"walk-{WALK}",
        },
        "consume_credits": {"amount": 1, "idempotencyKey": f"walk-{WALK}"},
        "set_spend_limit": {"amount": 1, "currency": "USD"},
        "save_payment_method": {"setupIntentId": victim["setupIntentId"]},
        "create_webhook_endpoint": {"url": "https://example.com/walk"},
        "create_portal_session": {"customerId": customer},
        "create_publishable_key": {"name": "walk"},
        "create_checkout_session": {
            "customerId": f"walk-visitor-{WALK}",
            "customer": {"email": f"walk-visitor-{WALK}@example.com", "name": "Walk"},
            "planId": "starter",
            "currency": "USD",
        },
        "complete_checkout": {},
    }


CREATED_BY_WALK = (
    f"/v1/features/walk-f-{WALK}",
    f"/v1/plans/walk-p-{WALK}",
    f"/v1/addons/walk-a-{WALK}",
    f"/v1/coupons/walk-c-{WALK}",
    f"/v1/promotion-codes/WALK{WALK.upper()}",
    f"/v1/customers/walk-cust-{WALK}",
    f"/v1/customers/walk-visitor-{WALK}",
)


@pytest.fixture(scope="module")
def victim(local_api: LocalApi, server: ApiClient) -> dict[str, str]:
    """Someone else's resources: a subscribed customer with a card, usage, credits and an
    invoice; a feature, plan, add-on, coupon and code of the seller; and an open checkout."""
    suffix = uuid.uuid4().hex[:10]
    customer_id = f"pk-victim-{suffix}"
    created = server.post(
        "/v1/customers",
        json={"id": customer_id, "email": f"{customer_id}@example.com", "name": "Victim"},
    )
    assert created.status_code == 201, created.text
    card = attach_test_card(customer_id, "4242424242424242")
    order = {"planId": "starter", "billingPeriod": "monthly", "currency": "USD", "trialDays": 0}
    assert server.post(f"/v1/customers/{customer_id}/subscription", json=order).status_code == 201
    local_api.queues.drain("billing_worker")
    usage = {"customerId": customer_id, "featureId": "api-calls", "value": 7}
    server.post("/v1/usage", json={**usage, "idempotencyKey": f"victim-{suffix}"})
    grant = server.post(
        f"/v1/customers/{customer_id}/credit-grants",
        json={"creditTypeId": "ai-credits", "amount": 50, "idempotencyKey": suffix},
    )
    assert grant.status_code == 201, grant.text
    invoices = server.get(f"/v1/customers/{customer_id}/invoices").json()["items"]
    intent = server.post(f"/v1/customers/{customer_id}/payment-methods/setup-intent").json()
    ids = {
        "featureId": f"pk-f-{suffix}",
        "planId": f"pk-p-{suffix}",
        "addonId": f"pk-a-{suffix}",
        "couponId": f"pk-c-{suffix}",
        "code": f"PK{suffix.upper()}",
    }
    catalog = [
        ("/v1/features", {"id": ids["featureId"], "name": "Victim", "type": "boolean"}),
        ("/v1/plans", {"id": ids["planId"], "name": "Victim"}),
        ("/v1/addons", {"id": ids["addonId"], "name": "Victim", "planIds": [ids["planId"]]}),
        (
            "/v1/coupons",
            {"id": ids["couponId"], "name": "Ten", "percentOff": 10, "duration": "once"},
        ),
        ("/v1/promotion-codes", {"code": ids["code"], "couponId": ids["couponId"]}),
    ]
    for path, body in catalog:
        response = server.post(path, json=body)
        assert response.status_code == 201, response.text
    checkout = server.post(
        "/v1/checkout-sessions",
        json={
            "customerId": f"pk-visitor-{suffix}",
            "customer": {"email": f"pk-visitor-{suffix}@example.com", "name": "Visitor"},
            "planId": "starter",
            "currency": "USD",
            "trialDays": 0,
        },
    )
    assert checkout.status_code == 201, checkout.text
    return {
        **ids,
        "customerId": customer_id,
        "invoiceId": invoices[0]["id"],
        "paymentMethodId": card,
        "setupIntentId": intent["clientSecret"].split("_secret_")[0],
        "creditTypeId": "ai-credits",
        "grantId": grant.json()["id"],
        "endpointId": "we_walk",
        "deliveryId": "del_walk",
        "linkToken": "bf_ln_" + "x" * 40 + ".y",
        "sessionId": checkout.json()["id"],
        "checkoutToken": checkout.json()["token"],
        "visitorId": checkout.json()["customerId"],
        "now": server.get("/_local/clock").json()["now"],
    }


def _path(route: Route, victim: dict[str, str]) -> str:
    path = route.path
    for name in route.path_parameters:
        path = path.replace("{" + name + "}", victim[name])
    return path


def _walk(client: ApiClient, route: Route, victim: dict[str, str]) -> requests.Response:
    """Call the route on the victim's resources, with a body that would act."""
    body = _bodies(victim).get(route.operation)
    return client.request(route.method, _path(route, victim), json=body, allow_redirects=False)


def _timeless(document: Any) -> Any:
    """The document without `asOf`, the moment it was read."""
    if isinstance(document, dict):
        return {key: _timeless(value) for key, value in document.items() if key != "asOf"}
    if isinstance(document, list):
        return [_timeless(value) for value in document]
    return document


def _state(server: ApiClient, victim: dict[str, str]) -> list[Any]:
    """Everything the walk could have touched, as the server key sees it."""
    base = f"/v1/customers/{victim['customerId']}"
    paths = (
        base,
        f"{base}/subscription",
        f"{base}/entitlements",
        f"{base}/invoices",
        f"{base}/payment-methods",
        f"{base}/usage/api-calls/history",
        f"{base}/credits",
        f"{base}/spend-limit",
        f"/v1/customers/{victim['visitorId']}",
        f"/v1/customers/{victim['visitorId']}/subscription",
        f"/v1/features/{victim['featureId']}",
        f"/v1/plans/{victim['planId']}",
        f"/v1/addons/{victim['addonId']}",
        f"/v1/coupons/{victim['couponId']}",
        f"/v1/promotion-codes/{victim['code']}",
        *CREATED_BY_WALK,
    )
    state: list[Any] = []
    for path in paths:
        response = server.get(path)
        state.append((path, response.status_code, _timeless(response.json())))
    checkout = ApiClient(server.base_url, victim["checkoutToken"])
    shown = checkout.get(f"/v1/checkout-sessions/{victim['sessionId']}")
    state.append(("checkout", shown.status_code, shown.json()["session"]))
    return state


@pytest.fixture(scope="module")
def victim_state(server: ApiClient, victim: dict[str, str]) -> list[Any]:
    """The state before anyone tries anything: the walk's creations do not exist."""
    state = _state(server, victim)
    missing = {path for path, status, _ in state if status == 404}
    assert set(CREATED_BY_WALK) <= missing
    return state


def _refused(response: requests.Response, route: Route, denied: int) -> None:
    """The gateway's (or, for a route with no key, the handler's) refusal, naming nothing."""
    if route.operation in PUBLIC_ROUTES:
        assert_error(response, PUBLIC_ROUTES[route.operation])
    else:
        assert_error(response, denied, "forbidden" if denied == 403 else "unauthorized", None)


@pytest.mark.parametrize("route", NOT_PUBLISHABLE, ids=lambda r: r.operation)
def test_a_publishable_key_gets_only_refusals_and_changes_nothing(
    route: Route,
    local_api: LocalApi,
    victim: dict[str, str],
    victim_state: list[Any],
    client_with: Callable[[str | None], ApiClient],
    server: ApiClient,
) -> None:
    response = _walk(client_with(local_api.publishable_key), route, victim)

    _refused(response, route, 403)
    assert victim["customerId"] not in response.text
    assert _state(server, victim) == victim_state


@pytest.mark.parametrize(
    "route",
    [r for r in ROUTES if r.access is not Access.CHECKOUT],
    ids=lambda r: r.operation,
)
def test_a_checkout_token_gets_only_refusals_outside_its_session(
    route: Route,
    victim: dict[str, str],
    victim_state: list[Any],
    client_with: Callable[[str | None], ApiClient],
    server: ApiClient,
) -> None:
    response = _walk(client_with(victim["checkoutToken"]), route, victim)

    _refused(response, route, 403)
    assert victim["customerId"] not in response.text
    assert _state(server, victim) == victim_state


@pytest.mark.parametrize("route", CHECKOUT_ROUTES, ids=lambda r: r.operation)
def test_a_checkout_token_is_refused_by_another_session(
    route: Route,
    victim: dict[str, str],
    victim_state: list[Any],
    client_with: Callable[[str | None], ApiClient],
    server: ApiClient,
    uid: str,
) -> None:
    other = server.post(
        "/v1/checkout-sessions",
        json={
            "customerId": f"pk-other-{uid}",
            "customer": {"email": f"pk-other-{uid}@example.com", "name": "Other"},
            "planId": "starter",
            "currency": "USD",
        },
    )
    assert other.status_code == 201, other.text

    response = _walk(client_with(other.json()["token"]), route, victim)

    _refused(response, route, 403)
    assert _state(server, victim) == victim_state


@pytest.mark.parametrize("route", [*CHECKOUT_ROUTES, PRICING], ids=lambda r: r.operation)
@pytest.mark.parametrize("spoil", ["expired", "tampered", "unknown-publishable"])
def test_a_spoiled_credential_gets_401_and_changes_nothing(
    route: Route,
    spoil: str,
    victim: dict[str, str],
    victim_state: list[Any],
    client_with: Callable[[str | None], ApiClient],
    server: ApiClient,
) -> None:
    if spoil == "expired":
        past = deps.clock().now() - timedelta(days=2)  # a day's grace past the session's expiry
        credential = mint_checkout_token(
            deps.portal_signing_secret(), victim["sessionId"], victim["visitorId"], past
        )
    elif spoil == "tampered":
        genuine = victim["checkoutToken"]
        credential = genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB")
    else:
        credential = "bf_pk_" + uuid.uuid4().hex + uuid.uuid4().hex

    response = _walk(client_with(credential), route, victim)

    assert_error(response, 401, "unauthorized", None)
    assert _state(server, victim) == victim_state


def test_a_new_publishable_key_reads_pricing_at_once_and_nothing_else(
    server: ApiClient, client_with: Callable[[str | None], ApiClient], uid: str
) -> None:
    created = server.post("/v1/publishable-keys", json={"name": f"site-{uid}"})

    assert created.status_code == 201, created.text
    body = created.json()
    assert set(body) == {"keyId", "name", "createdAt", "key"}
    assert body["name"] == f"site-{uid}"
    assert body["key"].startswith("bf_pk_")
    assert len(body["keyId"]) == 12
    public = client_with(body["key"])
    pricing = public.get("/v1/pricing")
    assert pricing.status_code == 200, pricing.text
    assert pricing.json() == server.get("/v1/pricing").json()
    assert_error(public.post("/v1/publishable-keys", json={"name": "more"}), 403, "forbidden")
    assert_error(public.get("/v1/customers"), 403, "forbidden")
    assert_error(server.post("/v1/publishable-keys", json={"name": ""}), 400, field="name")
    other = server.post("/v1/publishable-keys", json={"name": f"site-{uid}"}).json()
    assert other["key"] != body["key"]


def test_only_a_server_key_makes_publishable_keys(
    local_api: LocalApi,
    client_with: Callable[[str | None], ApiClient],
    portal_token: Callable[..., str],
    victim: dict[str, str],
) -> None:
    for credential in (portal_token(victim["customerId"]), victim["checkoutToken"]):
        refused = client_with(credential).post("/v1/publishable-keys", json={"name": "x"})
        assert_error(refused, 403, "forbidden", None)
    assert_error(
        client_with(None).post("/v1/publishable-keys", json={"name": "x"}), 401, "unauthorized"
    )


def _plan(server: ApiClient, plan_id: str, **fields: Any) -> dict[str, Any]:
    body = {
        "id": plan_id,
        "name": plan_id,
        "prices": [{"billingPeriod": "monthly", "currency": "USD", "amount": 1000}],
        **fields,
    }
    created = server.post("/v1/plans", json=body)
    assert created.status_code == 201, created.text
    plan: dict[str, Any] = created.json()
    return plan


def _pricing(client: ApiClient) -> dict[str, Any]:
    response = client.get("/v1/pricing")
    assert response.status_code == 200, response.text
    pricing: dict[str, Any] = response.json()
    return pricing


def test_pricing_shows_only_public_plans_with_what_each_adds(
    local_api: LocalApi, server: ApiClient, client_with: Callable[[str | None], ApiClient], uid: str
) -> None:
    calls, sso = f"pk-calls-{uid}", f"pk-sso-{uid}"
    metered = {"unit": {"singular": "call", "plural": "calls"}}
    server.post("/v1/features", json={"id": calls, "name": "Calls", "type": "metered", **metered})
    server.post("/v1/features", json={"id": sso, "name": "SSO", "type": "boolean"})
    hidden_feature = f"pk-hidden-{uid}"
    server.post("/v1/features", json={"id": hidden_feature, "name": "Hidden", "type": "boolean"})
    base = _plan(
        server, f"pk-base-{uid}", public=True, entitlements=[{"featureId": calls, "limit": 100}]
    )
    team = _plan(
        server,
        f"pk-team-{uid}",
        public=True,
        parentPlanId=base["id"],
        entitlements=[{"featureId": sso}, {"featureId": calls, "limit": 500}],
    )
    secret = _plan(
        server, f"pk-secret-{uid}", entitlements=[{"featureId": hidden_feature}], public=False
    )
    orphan = _plan(
        server, f"pk-orphan-{uid}", public=True, parentPlanId=secret["id"], entitlements=[]
    )
    default = _plan(server, f"pk-default-{uid}")
    public_addon = server.post(
        "/v1/addons",
        json={
            "id": f"pk-addon-{uid}",
            "name": "Extra",
            "public": True,
            "planIds": [base["id"], secret["id"]],
            "prices": [{"billingPeriod": "monthly", "currency": "USD", "amount": 100}],
        },
    )
    hidden_addon = server.post(
        "/v1/addons", json={"id": f"pk-hidden-addon-{uid}", "name": "Hidden", "planIds": []}
    )
    assert public_addon.status_code == hidden_addon.status_code == 201, public_addon.text

    pricing = _pricing(client_with(local_api.publishable_key))

    plans = {plan["id"]: plan for plan in pricing["plans"]}
    assert {base["id"], team["id"], orphan["id"]} <= set(plans)
    assert not {secret["id"], default["id"]} & set(plans)
    assert plans[base["id"]]["includesPlanId"] is None
    assert plans[base["id"]]["addedEntitlements"] == plans[base["id"]]["entitlements"]
    shown_team = plans[team["id"]]
    assert shown_team["includesPlanId"] == base["id"]
    added = {e["featureId"]: e for e in shown_team["addedEntitlements"]}
    assert set(added) == {sso, calls}
    assert added[calls]["limit"] == 500
    assert {e["featureId"] for e in shown_team["entitlements"]} == {sso, calls}
    shown_orphan = plans[orphan["id"]]  # its parent is not public: it is shown on its own
    assert shown_orphan["includesPlanId"] is None
    assert shown_orphan["addedEntitlements"] == shown_orphan["entitlements"]
    assert [e["featureId"] for e in shown_orphan["entitlements"]] == [hidden_feature]
    addons = {addon["id"]: addon for addon in pricing["addons"]}
    assert f"pk-addon-{uid}" in addons
    assert f"pk-hidden-addon-{uid}" not in addons
    assert addons[f"pk-addon-{uid}"]["planIds"] == [base["id"]]
    features = {feature["id"] for feature in pricing["features"]}
    assert {calls, sso} <= features
    assert "USD" in pricing["currencies"]
    assert secret["id"] not in str(pricing)
    assert default["id"] not in str(pricing)


def test_an_archived_or_hidden_public_plan_leaves_the_pricing(
    local_api: LocalApi, server: ApiClient, client_with: Callable[[str | None], ApiClient], uid: str
) -> None:
    public = client_with(local_api.publishable_key)
    shown = _plan(server, f"pk-shown-{uid}", public=True)
    archived = _plan(server, f"pk-archived-{uid}", public=True)
    hidden = _plan(server, f"pk-hidden-plan-{uid}", public=True)
    before = {plan["id"] for plan in _pricing(public)["plans"]}

    assert server.post(f"/v1/plans/{archived['id']}/archive").status_code == 200
    assert server.patch(f"/v1/plans/{hidden['id']}", json={"public": False}).status_code == 200
    after = {plan["id"] for plan in _pricing(public)["plans"]}

    assert {shown["id"], archived["id"], hidden["id"]} <= before
    assert shown["id"] in after
    assert archived["id"] not in after
    assert hidden["id"] not in after


def test_pricing_is_throttled_by_the_usage_plan(local_api: LocalApi) -> None:
    """The local gateway's usage plan, on a clock the test moves: a burst of 3 at 1 a second
    (API Gateway's own plan has the stack's rate and burst, checked on the template)."""
    seconds = [0.0]
    gateway = LocalGateway(usage_plan=UsagePlan(rate=1, burst=3, seconds=lambda: seconds[0]))
    headers = {"Authorization": [f"Bearer {local_api.publishable_key}"]}

    def call() -> int:
        request = HttpRequest("GET", "/v1/pricing", {}, headers, b"", "127.0.0.1")
        return gateway.handle(request).status

    burst = [call() for _ in range(4)]
    seconds[0] += 1.0
    refilled = [call(), call()]

    assert burst == [200, 200, 200, 429]
    assert refilled == [200, 429]
