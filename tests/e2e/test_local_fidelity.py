"""The local gateway behaves like API Gateway and Lambda where clients can tell: bursts of
connections, methods and URIs it has no route for, encoded slashes in paths, and requests to
one function running at the same time (Lambda runs them in separate containers)."""

import http.client
import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar
from urllib.parse import urlsplit

import pytest
import requests

from local.events import HttpRequest
from local.functions import FunctionLoader
from local.gateway import LocalGateway
from tests.conftest import ApiClient
from tests.e2e.helpers import assert_error

T = TypeVar("T")

ECHO_HANDLER = """
import json

def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event)}
"""
RESOLVER_HANDLER = """
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from tests.e2e.test_local_fidelity import BOTH_RESOLVING

app = APIGatewayRestResolver()

@app.get("/v1/customers/<customerId>")
def get_customer(customerId):
    BOTH_RESOLVING.wait()
    return {"asked": customerId, "current": app.current_event.path}

handler = app.resolve
"""
BOTH_RESOLVING = threading.Barrier(2, timeout=30)
"""Two invocations meet here, both inside their resolver, before reading the current event."""
BURST = 200
RACE_ROUNDS = 20


def _together(calls: list[Callable[[], T]]) -> list[T]:
    """Run the calls on their own threads, released at the same moment."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T:
        start.wait(timeout=60)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def _raw_get(base_url: str, target: str, credential: str | None = None) -> tuple[int, bytes]:
    """GET `target` exactly as written (no client-side normalising), on a new connection."""
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=60)
    headers = {"Authorization": f"Bearer {credential}"} if credential else {}
    try:
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_a_burst_of_connections_is_answered_without_a_reset(local_api):
    statuses = _together([lambda: _raw_get(local_api.url, "/openapi.json")[0]] * BURST)

    assert statuses == [200] * BURST


@pytest.mark.parametrize("method", ["TRACE", "QUERY", "PROPFIND", "BREW"])
def test_a_method_without_a_route_is_the_gateways_route_not_found(server, method):
    assert_error(server.request(method, "/v1/plans"), 404, "route_not_found", None)


def test_head_on_a_get_route_is_answered_like_a_missing_route_without_a_body(server):
    response = server.request("HEAD", "/v1/plans")

    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert response.content == b""
    assert server.get("/v1/plans").status_code == 200  # the connection is still usable


def test_a_uri_over_64_kib_is_a_414_in_the_error_shape(server):
    response = server.get("/v1/plans", params={"cursor": "x" * 70_000})

    assert_error(response, 414, "uri_too_long", None)


def test_an_encoded_slash_stays_inside_its_path_parameter(server, local_api):
    target = "/v1/customers/a%2Fb/subscription"
    status, body = _raw_get(local_api.url, target, local_api.server_key)
    response = requests.Response()
    response.status_code, response._content = status, body
    response.headers["Content-Type"] = "application/json"

    error = assert_error(response, 400)
    assert error["code"] != "route_not_found"


def test_an_encoded_slash_does_not_make_a_new_segment(server, local_api):
    assert server.get("/v1/plans/starter").status_code == 200
    status, body = _raw_get(local_api.url, "/v1/plans%2Fstarter", local_api.server_key)

    assert status == 404
    assert b"route_not_found" in body


def test_the_handler_gets_the_path_as_sent_and_its_parameters_decoded(tmp_path):
    """API Gateway REST keeps `path` percent-encoded and decodes `pathParameters`."""
    (tmp_path / "get_customer").mkdir()
    (tmp_path / "get_customer" / "handler.py").write_text(ECHO_HANDLER)
    gateway = LocalGateway(FunctionLoader(tmp_path))
    credential = {"Authorization": ["Bearer test"]}
    request = HttpRequest("GET", "/v1/customers/a%2Fb%20c", {}, credential, b"", "127.0.0.1")

    gateway._authorize = lambda *_: {  # type: ignore[method-assign]
        "principalId": "test",
        "policyDocument": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    }
    event = json.loads(gateway.handle(request).body)

    assert event["path"] == "/v1/customers/a%2Fb%20c"
    assert event["pathParameters"] == {"customerId": "a/b c"}


def test_invocations_at_once_each_resolve_their_own_event(tmp_path):
    """Powertools keeps the current event on a class; each container must see its own."""
    (tmp_path / "get_customer").mkdir()
    (tmp_path / "get_customer" / "handler.py").write_text(RESOLVER_HANDLER)
    functions = FunctionLoader(tmp_path)

    def invoke(customer: str) -> dict[str, str]:
        event = {"httpMethod": "GET", "path": f"/v1/customers/{customer}", "headers": {}}
        with functions.container("get_customer") as function:
            answer: dict[str, str] = json.loads(function.handler(event, None)["body"])
        return answer

    answers = _together([lambda: invoke("alice"), lambda: invoke("bob")])

    assert answers == [
        {"asked": "alice", "current": "/v1/customers/alice"},
        {"asked": "bob", "current": "/v1/customers/bob"},
    ]


def _subscribed(server: ApiClient, create_customer: Callable[..., dict[str, str]]) -> str:
    customer = create_customer()["id"]
    order = {"planId": "starter", "currency": "USD", "trialDays": 0}
    created = server.post(f"/v1/customers/{customer}/subscription", json=order)
    assert created.status_code == 201, created.text
    return f"/v1/customers/{customer}/subscription"


def test_racing_changes_to_one_subscription_have_exactly_one_winner(
    server, local_api, create_customer
):
    """The same upgrade sent twice at once: exactly one applies it (and bills). The other
    either lost the race (409) or came after it (200, nothing to change); rounds repeat until
    one shows the two really overlapped."""
    overlapped = False
    for _ in range(RACE_ROUNDS):
        path = _subscribed(server, create_customer)
        clients = [ApiClient(local_api.url, local_api.server_key) for _ in range(2)]
        answers = _together(
            [lambda c=c, p=path: c.patch(p, json={"planId": "pro"}) for c in clients]
        )

        applied = [a for a in answers if a.status_code == 200 and a.json()["change"]["lines"]]
        assert len(applied) == 1, [a.text for a in answers]
        [other] = [a for a in answers if a is not applied[0]]
        if other.status_code == 409:
            assert_error(other, 409, "concurrent_modification")
            overlapped = True
        else:
            assert other.status_code == 200, other.text
            assert other.json()["change"]["timing"] == "nothing"
        assert server.get(path).json()["revision"] == 2
        if overlapped:
            return
    pytest.fail(f"no two changes overlapped in {RACE_ROUNDS} rounds: requests are serialized")


def test_concurrent_requests_each_get_their_own_answer(server, local_api, create_customer):
    customers = [create_customer()["id"] for _ in range(4)]
    paths = [f"/v1/customers/{c}" for c in customers] + ["/v1/plans/starter", "/v1/plans/pro"]

    for _ in range(5):
        calls = [lambda p=p: ApiClient(local_api.url, local_api.server_key).get(p) for p in paths]
        answers = _together(calls)

        assert [a.status_code for a in answers] == [200] * len(paths)
        assert [a.json()["id"] for a in answers] == [p.rsplit("/", 1)[1] for p in paths]
