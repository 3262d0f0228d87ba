"""The API Gateway authorizer: credentials in, IAM policy out.

The security property: a portal token's policy reaches only the portal routes, and only for
its own customer; API Gateway (here `local.policy.allows`) refuses everything else.
"""

import hashlib
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billfold_lambda import authorizer, dependencies
from billfold_lambda.authorizer import (
    authorize,
    bearer_credential,
)
from billfold_lambda.routes import ROUTES, ROUTES_BY_OPERATION, Access, Needs, Route

from billfold.auth.api_keys import new_server_key
from billfold.auth.portal_tokens import mint_portal_token
from billfold.clock import FixedClock
from billfold.storage import keys
from local.policy import allows
from tests.unit.factories import NOW, ExplodingTable

SECRET = b"portal-signing-secret-for-unit-tests"
STAGE_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/dev"
METHOD_ARN = f"{STAGE_ARN}/GET/v1/plans"
VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")

CUSTOMER_IDS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}", fullmatch=True)
CATALOG_IDS = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,63}", fullmatch=True)


def _arn(method: str, path: str) -> str:
    return f"{STAGE_ARN}/{method}{path}"


def _event(headers: dict[str, str], method_arn: str = METHOD_ARN) -> dict[str, Any]:
    """A REQUEST authorizer event as API Gateway sends it for GET /v1/plans."""
    return {
        "type": "REQUEST",
        "methodArn": method_arn,
        "resource": "/v1/plans",
        "path": "/v1/plans",
        "httpMethod": "GET",
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": {},
        "multiValueQueryStringParameters": {},
        "pathParameters": {},
        "stageVariables": {},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "stage": "dev",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "resourcePath": "/v1/plans",
            "httpMethod": "GET",
            "path": "/dev/v1/plans",
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "pytest"},
        },
    }


class KeyTable:
    """A table holding one server key record, as `store_server_key` writes it."""

    def __init__(self, key: str) -> None:
        digest = hashlib.sha256(key.encode()).hexdigest()
        self.item = {
            **keys.api_key(digest),
            "kind": "api_key",
            "name": "backend",
            "key_id": digest[:12],
            "created_at": "2030-01-01T00:00:00Z",
        }

    def get(self, key: keys.Key, *, consistent: bool = False) -> dict[str, Any] | None:
        return self.item if (key["pk"], key["sk"]) == (self.item["pk"], self.item["sk"]) else None


@contextmanager
def _dependencies(table: object | None = None, routes: Sequence[Route] = ROUTES) -> Iterator[None]:
    """The authorizer's outside world: a known secret, a fixed clock, a table and routes."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dependencies, "portal_signing_secret", lambda: SECRET)
        patch.setattr(dependencies, "clock", lambda: FixedClock(NOW))
        patch.setattr(dependencies, "table", lambda: table or ExplodingTable())
        patch.setattr(authorizer, "ROUTES", tuple(routes))
        yield


def _portal_token(customer_id: str, lifetime: timedelta = timedelta(hours=1)) -> str:
    return mint_portal_token(SECRET, customer_id, NOW + lifetime)


def _authorize(headers: dict[str, str], **deps: Any) -> dict[str, Any]:
    with _dependencies(**deps):
        return authorize(_event(headers))


def _refusal(headers: dict[str, str], **deps: Any) -> Exception:
    """The plain Exception `authorize` refuses with; any other exception propagates."""
    try:
        _authorize(headers, **deps)
    except Exception as error:
        if type(error) is not Exception:
            raise
        return error
    raise AssertionError("the credential was authorized")


def _portal_policy(customer_id: str, routes: Sequence[Route] = ROUTES) -> dict[str, Any]:
    """The policy document `authorize` returns for a customer's portal token."""
    decision = _authorize({"Authorization": f"Bearer {_portal_token(customer_id)}"}, routes=routes)
    policy: dict[str, Any] = decision["policyDocument"]
    return policy


def _concrete(route: Route, customer_id: str, value: str) -> str:
    """The route's path with the customer id and a sample value for every other parameter."""
    path = route.path.replace("{customerId}", customer_id)
    return re.sub(r"{\w+}", value, path)


def _portal_reach_violations(
    routes: Sequence[Route], customer: str, other: str, value: str
) -> list[str]:
    """Requests the customer's portal policy lets through although it must not.

    An IAM `*` also matches `/`, so `GET …/invoices/*` matches `GET …/invoices/x/pay` too; such
    a request has no route, and API Gateway refuses it before any authorizer runs. What counts
    is every routed method and path: only the portal's own routes may be let through.
    """
    policy = _portal_policy(customer, routes)
    portal = {
        (r.method, _concrete(r, customer, value))
        for r in routes
        if r.access is Access.SERVER_OR_PORTAL
    }
    routed = {(r.method, _concrete(r, customer, value)) for r in routes}
    violations: list[str] = []
    for route in routes:
        own_path = _concrete(route, customer, value)
        reachable = allows(policy, _arn(route.method, own_path))
        if route.access is Access.SERVER and (route.method, own_path) not in portal and reachable:
            violations.append(f"server-only {route.method} {own_path}")
        if route.customer_scoped:
            other_path = _concrete(route, other, value)
            if allows(policy, _arn(route.method, other_path)):
                violations.append(f"other customer's {route.method} {other_path}")
        for verb in VERBS:
            request = (verb, own_path)
            if request in routed and request not in portal and allows(policy, _arn(*request)):
                violations.append(f"non-portal {verb} {own_path}")
    return violations


# --- bearer_credential ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Authorization": "Bearer bf_sk_abc"}, "bf_sk_abc"),
        ({"authorization": "bearer bf_sk_abc"}, "bf_sk_abc"),
        ({"AUTHORIZATION": "BEARER bf_pt_x.y"}, "bf_pt_x.y"),
        ({"Authorization": "Bearer   bf_sk_abc  "}, "bf_sk_abc"),
        ({"Host": "api.test", "Authorization": "Bearer t"}, "t"),
    ],
)
def test_bearer_credential_reads_the_header_and_scheme_case_insensitively(
    headers: dict[str, str], expected: str
) -> None:
    assert bearer_credential(headers) == expected


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Host": "api.test"},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer    "},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "bf_sk_abc"},
        {"Authorization": "Token bf_sk_abc"},
        {"X-Authorization": "Bearer bf_sk_abc"},
    ],
    ids=[
        "no-headers",
        "no-authorization",
        "empty",
        "scheme-only",
        "blank-credential",
        "basic",
        "bare-key",
        "other-scheme",
        "other-header",
    ],
)
def test_bearer_credential_is_none_without_a_bearer_credential(headers: dict[str, str]) -> None:
    assert bearer_credential(headers) is None


# --- resource_path bound to a customer ---------------------------------------------------------


def test_portal_resource_fills_in_the_customer_id() -> None:
    route = ROUTES_BY_OPERATION["get_customer"]

    assert route.resource_path(customerId="acme-42") == "/v1/customers/acme-42"


def test_portal_resource_wildcards_every_other_parameter() -> None:
    assert ROUTES_BY_OPERATION["get_plan"].resource_path(customerId="acme") == "/v1/plans/*"
    route = Route(
        "get_invoice",
        "GET",
        "/v1/customers/{customerId}/invoices/{invoiceId}",
        "Get an invoice",
        "billing",
        frozenset({Needs.TABLE_READ}),
        Access.SERVER_OR_PORTAL,
    )

    assert route.resource_path(customerId="acme") == "/v1/customers/acme/invoices/*"


def test_portal_resource_of_a_route_without_parameters_is_its_path() -> None:
    assert ROUTES_BY_OPERATION["list_plans"].resource_path(customerId="acme") == "/v1/plans"


# --- authorize: portal tokens -----------------------------------------------------------------


def test_portal_token_gets_only_the_portal_routes_bound_to_its_customer() -> None:
    decision = _authorize({"Authorization": f"Bearer {_portal_token('acme-42')}"})

    assert decision["principalId"] == "portal:acme-42"
    assert decision["context"] == {"credential": "portal", "customerId": "acme-42"}
    statements = decision["policyDocument"]["Statement"]
    assert [s["Effect"] for s in statements] == ["Allow"]
    assert statements[0]["Action"] == "execute-api:Invoke"
    expected = {
        f"{STAGE_ARN}/{r.method}{r.resource_path(customerId='acme-42')}"
        for r in ROUTES
        if r.access is Access.SERVER_OR_PORTAL
    }
    assert set(statements[0]["Resource"]) == expected
    assert f"{STAGE_ARN}/GET/v1/plans" in expected
    assert not any("*/*" in resource for resource in expected)


def test_portal_policy_allows_the_portal_routes_and_refuses_server_ones() -> None:
    policy = _portal_policy("acme-42")

    assert allows(policy, _arn("GET", "/v1/plans"))
    assert allows(policy, _arn("GET", "/v1/addons"))
    assert not allows(policy, _arn("POST", "/v1/plans"))
    assert not allows(policy, _arn("GET", "/v1/plans/pro"))
    assert not allows(policy, _arn("GET", "/v1/customers"))
    assert not allows(policy, _arn("GET", "/v1/customers/acme-42"))


def test_portal_token_is_checked_without_touching_the_table() -> None:
    # ExplodingTable is the default: any read would fail this test.
    decision = _authorize({"authorization": f"bearer {_portal_token('acme')}"})

    assert decision["context"]["customerId"] == "acme"


@pytest.mark.parametrize(
    "token",
    [
        _portal_token("acme-42", lifetime=timedelta(seconds=-1)),
        _portal_token("acme-42", lifetime=timedelta(0)),
        mint_portal_token(b"another-secret", "acme-42", NOW + timedelta(hours=1)),
        _portal_token("acme-42")[:-2] + "xx",
        _portal_token("acme-42").replace("bf_pt_", "bf_pt_A", 1),
        "bf_pt_",
    ],
    ids=[
        "expired",
        "expiring-now",
        "other-secret",
        "tampered-signature",
        "tampered-payload",
        "bare-prefix",
    ],
)
def test_invalid_portal_token_is_unauthorized(token: str) -> None:
    assert str(_refusal({"Authorization": f"Bearer {token}"})) == "Unauthorized"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer nonsense"}],
    ids=["missing", "basic", "unknown-credential"],
)
def test_missing_or_unknown_credential_is_unauthorized(headers: dict[str, str]) -> None:
    assert str(_refusal(headers)) == "Unauthorized"


# --- authorize: server keys -------------------------------------------------------------------


def test_server_key_is_allowed_every_route() -> None:
    key = new_server_key()

    decision = _authorize({"Authorization": f"Bearer {key}"}, table=KeyTable(key))

    key_id = hashlib.sha256(key.encode()).hexdigest()[:12]
    assert decision["principalId"] == f"server:{key_id}"
    assert decision["context"] == {"credential": "server", "keyId": key_id}
    policy = decision["policyDocument"]
    for route in ROUTES:
        assert allows(policy, _arn(route.method, _concrete(route, "acme", "pro")))
    assert not allows(
        policy, "arn:aws:execute-api:us-east-1:123456789012:other-api/dev/GET/v1/plans"
    )


def test_unknown_server_key_is_unauthorized() -> None:
    stored = new_server_key()

    refusal = _refusal({"Authorization": f"Bearer {new_server_key()}"}, table=KeyTable(stored))

    assert str(refusal) == "Unauthorized"


# --- the security property --------------------------------------------------------------------


@given(customer=CUSTOMER_IDS, other=CUSTOMER_IDS, value=CATALOG_IDS)
def test_portal_policy_reaches_no_server_route_and_no_other_customer(
    customer: str, other: str, value: str
) -> None:
    if other == customer:
        other = customer + "x" if len(customer) < 128 else customer[:-1]

    assert _portal_reach_violations(ROUTES, customer, other, value) == []


@given(customer=CUSTOMER_IDS, value=CATALOG_IDS)
def test_portal_policy_reaches_every_portal_route_for_its_own_customer(
    customer: str, value: str
) -> None:
    policy = _portal_policy(customer)

    for route in ROUTES:
        if route.access is Access.SERVER_OR_PORTAL:
            assert allows(policy, _arn(route.method, _concrete(route, customer, value)))


_READ = frozenset({Needs.TABLE_READ})
_CUSTOMER_PORTAL = Route(
    "list_invoices",
    "GET",
    "/v1/customers/{customerId}/invoices",
    "List a customer's invoices",
    "billing",
    _READ,
    Access.SERVER_OR_PORTAL,
)
_INVOICE_PORTAL = Route(
    "get_invoice",
    "GET",
    "/v1/customers/{customerId}/invoices/{invoiceId}",
    "Get an invoice",
    "billing",
    _READ,
    Access.SERVER_OR_PORTAL,
)


def test_customer_scoped_portal_routes_are_confined_to_the_tokens_customer() -> None:
    policy = _portal_policy("acme", [*ROUTES, _CUSTOMER_PORTAL, _INVOICE_PORTAL])

    assert allows(policy, _arn("GET", "/v1/customers/acme/invoices"))
    assert allows(policy, _arn("GET", "/v1/customers/acme/invoices/in_1"))
    assert not allows(policy, _arn("GET", "/v1/customers/acme-2/invoices"))
    assert not allows(policy, _arn("GET", "/v1/customers/acm/invoices"))
    assert not allows(policy, _arn("GET", "/v1/customers/other/invoices/in_1"))
    assert not allows(policy, _arn("GET", "/v1/customers/acme"))


def test_the_reach_check_catches_a_server_route_under_a_wildcarded_portal_route() -> None:
    """IAM's `*` spans '/', so `.../invoices/*` would also admit a deeper server-only route:
    the property above must flag such a route table (it is not vacuous)."""
    server_only = Route(
        "get_invoice_internals",
        "GET",
        "/v1/customers/{customerId}/invoices/{invoiceId}/internals",
        "Internal invoice data",
        "billing",
        _READ,
    )

    violations = _portal_reach_violations(
        [*ROUTES, _INVOICE_PORTAL, server_only], "acme", "other", "in_1"
    )

    assert "server-only GET /v1/customers/acme/invoices/in_1/internals" in violations
    assert not any("other customer" in v for v in violations)


def test_portal_token_with_a_non_ascii_signature_is_unauthorized() -> None:
    token = _portal_token("acme-42") + "é"

    assert str(_refusal({"Authorization": f"Bearer {token}"})) == "Unauthorized"
