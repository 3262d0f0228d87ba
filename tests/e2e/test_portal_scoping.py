"""A portal token reaches only its own customer: every portal route, walked with another
customer's token, an expired token and a tampered one, leaks nothing and changes nothing."""

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from billfold_lambda.routes import ROUTES, Access, Route

from local.dev import LocalApi
from local.seed import attach_test_card
from tests.conftest import ApiClient
from tests.e2e.helpers import assert_error

PORTAL_ROUTES = [r for r in ROUTES if r.access is Access.SERVER_OR_PORTAL]
CUSTOMER_ROUTES = [r for r in PORTAL_ROUTES if r.customer_scoped]

BODIES: dict[str, dict[str, Any]] = {
    "create_subscription": {"planId": "pro", "billingPeriod": "monthly", "currency": "USD"},
    "preview_subscription_change": {"planId": "pro"},
    "change_subscription": {"planId": "pro"},
    "cancel_subscription": {"atPeriodEnd": False},
    "consume_usage": {"amount": 1, "idempotencyKey": "scoping-walk"},
}
"""Valid bodies: with the right token each of these requests would act."""


@pytest.fixture(scope="module")
def victim(local_api: LocalApi, server: ApiClient) -> dict[str, str]:
    """A customer with a subscription, usage, a card and a paid invoice."""
    customer_id = f"victim-{uuid.uuid4().hex[:10]}"
    response = server.post(
        "/v1/customers",
        json={"id": customer_id, "email": f"{customer_id}@example.com", "name": "Victim Co"},
    )
    assert response.status_code == 201, response.text
    card = attach_test_card(customer_id, "4242424242424242")
    order = {"planId": "starter", "billingPeriod": "monthly", "currency": "USD", "trialDays": 0}
    server.post(f"/v1/customers/{customer_id}/subscription", json=order)
    local_api.queues.drain("billing_worker")
    server.post(
        "/v1/usage",
        json={
            "customerId": customer_id,
            "featureId": "api-calls",
            "value": 7,
            "idempotencyKey": "victim-usage",
        },
    )
    invoices = server.get(f"/v1/customers/{customer_id}/invoices").json()["items"]
    intent = server.post(f"/v1/customers/{customer_id}/payment-methods/setup-intent").json()
    return {
        "customerId": customer_id,
        "invoiceId": invoices[0]["id"],
        "paymentMethodId": card,
        "setupIntentId": intent["clientSecret"].split("_secret_")[0],
    }


def _path(route: Route, ids: dict[str, str]) -> str:
    """The route's path aimed at the victim's own resources."""
    path = route.path
    for name, value in {**ids, "featureId": "api-calls"}.items():
        path = path.replace("{" + name + "}", value)
    return path


def _state(server: ApiClient, customer_id: str) -> list[Any]:
    """Everything billfold holds about the customer, as the server key sees it."""
    base = f"/v1/customers/{customer_id}"
    paths = (
        base,
        f"{base}/subscription",
        f"{base}/entitlements",
        f"{base}/invoices",
        f"{base}/payment-methods",
        f"{base}/usage/api-calls/history",
    )
    return [server.get(path).json() for path in paths]


@pytest.fixture(scope="module")
def victim_state(server: ApiClient, victim: dict[str, str]) -> list[Any]:
    """The victim's state before anyone else tries anything."""
    return _state(server, victim["customerId"])


def _walk(client: ApiClient, route: Route, victim: dict[str, str]) -> Any:
    """Call the route on the victim's resources, with a body that would act."""
    body = BODIES.get(route.operation)
    if route.operation == "save_payment_method":
        body = {"setupIntentId": victim["setupIntentId"]}  # the victim's own, open intent
    return client.request(route.method, _path(route, victim), json=body)


@pytest.mark.parametrize("route", CUSTOMER_ROUTES, ids=lambda r: r.operation)
def test_another_customers_token_gets_403_and_changes_nothing(
    route: Route,
    victim: dict[str, str],
    victim_state: list[Any],
    create_customer: Callable[..., dict[str, Any]],
    portal_token: Callable[..., str],
    client_with: Callable[[str | None], ApiClient],
    server: ApiClient,
) -> None:
    intruder = client_with(portal_token(create_customer("intruder")["id"]))

    response = _walk(intruder, route, victim)

    assert_error(response, 403, "forbidden", None)
    assert victim["customerId"] not in response.text
    assert _state(server, victim["customerId"]) == victim_state


@pytest.mark.parametrize("route", PORTAL_ROUTES, ids=lambda r: r.operation)
@pytest.mark.parametrize("spoil", ["expired", "tampered"])
def test_an_expired_or_tampered_token_gets_401_and_changes_nothing(
    route: Route,
    spoil: str,
    victim: dict[str, str],
    victim_state: list[Any],
    portal_token: Callable[..., str],
    client_with: Callable[[str | None], ApiClient],
    server: ApiClient,
) -> None:
    if spoil == "expired":
        token = portal_token(victim["customerId"], expires_in=timedelta(seconds=-1))
    else:
        genuine = portal_token(victim["customerId"])
        token = genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB")

    response = _walk(client_with(token), route, victim)

    assert_error(response, 401, "unauthorized", None)
    assert victim["customerId"] not in response.text
    assert _state(server, victim["customerId"]) == victim_state


def test_own_path_with_another_customers_resources_is_404(
    victim: dict[str, str],
    victim_state: list[Any],
    create_customer: Callable[..., dict[str, Any]],
    portal_token: Callable[..., str],
    client_with: Callable[[str | None], ApiClient],
    server: ApiClient,
) -> None:
    own = create_customer("intruder")["id"]
    intruder = client_with(portal_token(own))
    base = f"/v1/customers/{own}"

    attempts = [
        intruder.get(f"{base}/invoices/{victim['invoiceId']}"),
        intruder.get(f"{base}/invoices/{victim['invoiceId']}/pdf"),
        intruder.post(f"{base}/invoices/{victim['invoiceId']}/pay"),
        intruder.post(f"{base}/payment-methods/{victim['paymentMethodId']}/default"),
        intruder.delete(f"{base}/payment-methods/{victim['paymentMethodId']}"),
        intruder.post(f"{base}/payment-methods", json={"setupIntentId": victim["setupIntentId"]}),
    ]

    for response in attempts:
        assert_error(response, 404)
        assert victim["customerId"] not in response.text
    assert _state(server, victim["customerId"]) == victim_state
