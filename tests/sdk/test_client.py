"""The SDK client against the local stack: typed methods with typed dict bodies, page
iterators, typed errors carrying billfold's code and field, and retries that repeat the very
same request (a usage report retried after a lost answer counts once)."""

import uuid
from collections.abc import Callable

import httpx
import pytest
from billfold_sdk import Billfold
from billfold_sdk.errors import InvalidRequest, NotFound, ServerError, Unreachable

from local.dev import LocalApi
from local.seed import attach_test_card
from tests.conftest import WORKING_CARD, ApiClient
from tests.sdk.conftest import LOST, Wire


def _new_id(prefix: str = "sdk") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _usage(server: ApiClient, customer_id: str, feature_id: str = "api-calls") -> int:
    response = server.get(f"/v1/customers/{customer_id}/entitlements/{feature_id}")
    assert response.status_code == 200, response.text
    used: int = response.json()["usage"]
    return used


def _is_usage_report(request: httpx.Request) -> bool:
    return request.method == "POST" and request.url.path.endswith("/v1/usage")


def test_a_customer_and_a_subscription_are_created_through_typed_methods(
    sdk: Billfold, server: ApiClient
) -> None:
    customer_id = _new_id()

    created = sdk.create_customer(
        {"id": customer_id, "email": f"{customer_id}@example.com", "name": "Acme"}
    )
    attach_test_card(customer_id, WORKING_CARD)
    subscription = sdk.create_subscription(
        customer_id, {"planId": "starter", "currency": "USD", "trialDays": 0}
    )

    assert created["id"] == customer_id
    assert created["email"] == f"{customer_id}@example.com"
    assert sdk.get_customer(customer_id) == server.get(f"/v1/customers/{customer_id}").json()
    assert subscription["planId"] == "starter"
    assert sdk.get_subscription(customer_id) == (
        server.get(f"/v1/customers/{customer_id}/subscription").json()
    )
    check = sdk.check_entitlement(customer_id, "api-calls", requested=5)
    assert (check["hasAccess"], check["limit"], check["requested"]) == (True, 50000, 5)


def test_the_page_iterator_walks_every_page(sdk: Billfold, wire: Wire) -> None:
    mine = [_new_id("page") for _ in range(3)]
    for customer_id in mine:
        sdk.create_customer(
            {"id": customer_id, "email": f"{customer_id}@example.com", "name": "Paged"}
        )
    wire.sent.clear()

    listed = list(sdk.iter_list_customers(limit=1))

    ids = [customer["id"] for customer in listed]
    assert len(ids) == len(set(ids)), "a customer was listed twice"
    assert set(mine) <= set(ids)
    pages = [r for r in wire.sent if r.url.path.endswith("/v1/customers")]
    assert len(pages) >= len(listed) >= 3, "one customer a page"
    assert all(r.url.params["limit"] == "1" for r in pages)
    assert "cursor" not in pages[0].url.params
    assert all("cursor" in r.url.params for r in pages[1:])
    by_id = {customer["id"]: customer for customer in listed}
    for customer_id in mine:
        assert sdk.get_customer(customer_id) == by_id[customer_id]


def test_a_bad_value_is_an_invalid_request_naming_its_field(sdk: Billfold, wire: Wire) -> None:
    customer_id = _new_id()

    with pytest.raises(InvalidRequest) as raised:
        sdk.create_customer({"id": customer_id, "email": "not-an-email", "name": "Acme"})

    assert raised.value.status == 400
    assert raised.value.code == "invalid_request"
    assert raised.value.field == "email"
    assert raised.value.message
    assert len(wire.sent) == 1, "a 400 is not retried"


def test_an_unknown_customer_is_not_found(sdk: Billfold) -> None:
    with pytest.raises(NotFound) as raised:
        sdk.get_customer(_new_id("nobody"))

    assert (raised.value.status, raised.value.code) == (404, "customer_not_found")


def test_a_usage_report_whose_answer_is_lost_is_retried_with_its_key_and_counted_once(
    sdk: Billfold, wire: Wire, server: ApiClient, subscribed: Callable[..., str]
) -> None:
    customer_id = subscribed()
    wire.matches = _is_usage_report
    wire.faults[:] = [LOST]

    result = sdk.report_usage(
        {"customerId": customer_id, "featureId": "api-calls", "value": 7}  # type: ignore[typeddict-item]
    )

    reports = wire.bodies("/v1/usage")
    assert len(reports) == 2
    assert reports[0] == reports[1]
    assert reports[0]["idempotencyKey"].startswith("sdk-")
    assert result == {"counted": False, "used": 7}, "the retry found the first attempt's count"
    assert _usage(server, customer_id) == 7


def test_a_connect_error_is_retried_and_the_report_counted_once(
    sdk: Billfold, wire: Wire, server: ApiClient, subscribed: Callable[..., str]
) -> None:
    customer_id = subscribed()
    wire.matches = _is_usage_report
    wire.faults[:] = [httpx.ConnectError]
    key = f"given-{uuid.uuid4().hex}"

    result = sdk.report_usage(
        {"customerId": customer_id, "featureId": "api-calls", "value": 3, "idempotencyKey": key}
    )
    again = sdk.report_usage(
        {"customerId": customer_id, "featureId": "api-calls", "value": 3, "idempotencyKey": key}
    )

    assert [body["idempotencyKey"] for body in wire.bodies("/v1/usage")] == [key] * 3
    assert result == {"counted": True, "used": 3}
    assert again == {"counted": False, "used": 3}
    assert _usage(server, customer_id) == 3


def test_each_report_gets_its_own_key(
    sdk: Billfold, wire: Wire, server: ApiClient, subscribed: Callable[..., str]
) -> None:
    customer_id = subscribed()

    for _ in range(2):
        sdk.report_usage(
            {"customerId": customer_id, "featureId": "api-calls", "value": 2}  # type: ignore[typeddict-item]
        )

    keys = [body["idempotencyKey"] for body in wire.bodies("/v1/usage")]
    assert len(set(keys)) == 2
    assert _usage(server, customer_id) == 4


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_a_retried_status_then_success_is_retried(
    sdk: Billfold, wire: Wire, subscribed: Callable[..., str], status: int
) -> None:
    customer_id = subscribed()
    wire.sent.clear()
    wire.faults[:] = [status]

    customer = sdk.get_customer(customer_id)

    assert customer["id"] == customer_id
    assert len(wire.sent) == 2


def test_a_503_that_persists_is_a_server_error_after_the_retries(sdk: Billfold, wire: Wire) -> None:
    wire.faults[:] = [503, 503, 503]

    with pytest.raises(ServerError) as raised:
        sdk.list_plans()

    assert (raised.value.status, raised.value.code) == (503, "upstream_error")
    assert len(wire.sent) == 3, "the first attempt and two retries"


def test_a_400_is_not_retried(sdk: Billfold, wire: Wire) -> None:
    wire.faults[:] = [400, 503]

    with pytest.raises(InvalidRequest):
        sdk.list_plans()

    assert len(wire.sent) == 1
    assert sdk.list_plans()["items"] == sdk.list_plans()["items"]


def test_no_retries_when_max_retries_is_zero(local_api: LocalApi) -> None:
    wire = Wire(faults=[503])
    with (
        Billfold(
            local_api.server_key,
            local_api.url,
            max_retries=0,
            http_client=httpx.Client(transport=wire),
        ) as client,
        pytest.raises(ServerError),
    ):
        client.list_plans()

    assert len(wire.sent) == 1


def test_a_network_error_after_the_retries_is_unreachable(sdk: Billfold, wire: Wire) -> None:
    wire.faults[:] = [httpx.ConnectError] * 3

    with pytest.raises(Unreachable) as raised:
        sdk.list_plans()

    assert (raised.value.status, raised.value.code) == (0, "unreachable")
    assert len(wire.sent) == 3
