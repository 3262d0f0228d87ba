"""The API Gateway authorizer: credentials in, IAM policy out.

The security property: a portal token's policy reaches only the portal routes, and only for
its own customer; a checkout token's only its own session's checkout routes; a publishable
key's only the public pricing routes. API Gateway (here `local.policy.allows`) refuses
everything else.
"""

import hashlib
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
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

from billfold.auth.api_keys import SERVER_KEY_PREFIX, new_key, new_server_key
from billfold.auth.portal_tokens import PORTAL_TOKEN_PREFIX, mint_portal_token
from billfold.checkout.tokens import CHECKOUT_TOKEN_PREFIX, GRACE, mint_checkout_token
from billfold.clock import FixedClock
from billfold.config import ENV_USAGE_PLAN_KEY
from billfold.storage import keys
from local.policy import allows
from tests.unit.factories import NOW, ExplodingTable

SECRET = b"portal-signing-secret-for-unit-tests"
STAGE_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/dev"
METHOD_ARN = f"{STAGE_ARN}/GET/v1/plans"
VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")

CUSTOMER_IDS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}", fullmatch=True)
CATALOG_IDS = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,63}", fullmatch=True)
SESSION_IDS = st.from_regex(r"cs_[a-f0-9]{32}", fullmatch=True)
SESSION = "cs_" + "0123456789abcdef" * 2
OTHER_SESSION = "cs_" + "fedcba9876543210" * 2
USAGE_PLAN_KEY = "billfold-dev-publishable-usage"


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
    """A table holding one key record, as `store_key` writes it: a server key (`api_key`)
    unless `kind` says otherwise (`publishable_key`)."""

    def __init__(self, key: str, kind: str = "api_key") -> None:
        digest = hashlib.sha256(key.encode()).hexdigest()
        self.item = {
            **keys.api_key(digest),
            "kind": kind,
            "name": "backend",
            "key_id": digest[:12],
            "created_at": "2030-01-01T00:00:00Z",
        }

    def get(self, key: keys.Key, *, consistent: bool = False) -> dict[str, Any] | None:
        return self.item if (key["pk"], key["sk"]) == (self.item["pk"], self.item["sk"]) else None


@contextmanager
def _dependencies(
    table: object | None = None,
    routes: Sequence[Route] = ROUTES,
    usage_plan_key: str | None = None,
    now: datetime = NOW,
) -> Iterator[None]:
    """The authorizer's outside world: a known secret, a clock, a table, routes and the usage
    plan key in the environment (none by default)."""
    with pytest.MonkeyPatch.context() as patch:
        if usage_plan_key is None:
            patch.delenv(ENV_USAGE_PLAN_KEY, raising=False)
        else:
            patch.setenv(ENV_USAGE_PLAN_KEY, usage_plan_key)
        patch.setattr(dependencies, "portal_signing_secret", lambda: SECRET)
        patch.setattr(dependencies, "clock", lambda: FixedClock(now))
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


# --- authorize: checkout tokens ---------------------------------------------------------------


def _checkout_token(
    session_id: str = SESSION,
    customer_id: str = "acme-42",
    session_expires: timedelta = timedelta(hours=1),
    secret: bytes = SECRET,
) -> str:
    return mint_checkout_token(secret, session_id, customer_id, NOW + session_expires)


def _checkout_policy(session_id: str, routes: Sequence[Route] = ROUTES) -> dict[str, Any]:
    """The policy document `authorize` returns for a session's checkout token."""
    token = _checkout_token(session_id)
    decision = _authorize({"Authorization": f"Bearer {token}"}, routes=routes)
    policy: dict[str, Any] = decision["policyDocument"]
    return policy


def _checkout_path(route: Route, session_id: str, value: str) -> str:
    """The route's path with the session id and a sample value for every other parameter."""
    return re.sub(r"{\w+}", value, route.path.replace("{sessionId}", session_id))


def test_checkout_routes_exist_and_are_all_bound_to_a_session() -> None:
    checkout = [r for r in ROUTES if r.access is Access.CHECKOUT]

    assert {r.operation for r in checkout} == {
        "get_checkout_session",
        "create_checkout_setup_intent",
        "complete_checkout",
    }
    assert all(r.path_parameters == ("sessionId",) for r in checkout)


def test_checkout_token_gets_only_the_checkout_routes_bound_to_its_session() -> None:
    decision = _authorize({"Authorization": f"Bearer {_checkout_token()}"})

    assert decision["principalId"] == f"checkout:{SESSION}"
    assert decision["context"] == {"credential": "checkout", "customerId": "acme-42"}
    statements = decision["policyDocument"]["Statement"]
    assert [s["Effect"] for s in statements] == ["Allow"]
    assert statements[0]["Action"] == "execute-api:Invoke"
    assert set(statements[0]["Resource"]) == {
        f"{STAGE_ARN}/GET/v1/checkout-sessions/{SESSION}",
        f"{STAGE_ARN}/POST/v1/checkout-sessions/{SESSION}/setup-intent",
        f"{STAGE_ARN}/POST/v1/checkout-sessions/{SESSION}/complete",
    }


def test_checkout_policy_refuses_other_sessions_portal_and_server_routes() -> None:
    policy = _checkout_policy(SESSION)

    assert allows(policy, _arn("GET", f"/v1/checkout-sessions/{SESSION}"))
    assert allows(policy, _arn("POST", f"/v1/checkout-sessions/{SESSION}/complete"))
    assert not allows(policy, _arn("GET", f"/v1/checkout-sessions/{OTHER_SESSION}"))
    assert not allows(policy, _arn("POST", f"/v1/checkout-sessions/{OTHER_SESSION}/complete"))
    assert not allows(policy, _arn("POST", "/v1/checkout-sessions"))
    assert not allows(policy, _arn("GET", "/v1/plans"))
    assert not allows(policy, _arn("GET", "/v1/pricing"))
    assert not allows(policy, _arn("GET", "/v1/customers/acme-42"))


def test_checkout_token_is_checked_without_touching_the_table() -> None:
    # ExplodingTable is the default: any read would fail this test.
    decision = _authorize({"Authorization": f"Bearer {_checkout_token()}"})

    assert decision["principalId"] == f"checkout:{SESSION}"


def test_checkout_token_is_honoured_through_its_grace_day_and_not_after() -> None:
    headers = {"Authorization": f"Bearer {_checkout_token()}"}
    session_end = NOW + timedelta(hours=1)

    after_session = _authorize(headers, now=session_end + timedelta(hours=1))
    last_second = _authorize(headers, now=session_end + GRACE - timedelta(seconds=1))

    assert after_session["principalId"] == last_second["principalId"] == f"checkout:{SESSION}"
    assert str(_refusal(headers, now=session_end + GRACE)) == "Unauthorized"


@pytest.mark.parametrize(
    "token",
    [
        _checkout_token(session_expires=-GRACE - timedelta(seconds=1)),
        _checkout_token(session_expires=-GRACE),
        _checkout_token(secret=b"another-secret"),
        _checkout_token()[:-2] + "xx",
        _checkout_token().replace(CHECKOUT_TOKEN_PREFIX, CHECKOUT_TOKEN_PREFIX + "A", 1),
        CHECKOUT_TOKEN_PREFIX,
        _checkout_token() + "é",
    ],
    ids=[
        "expired",
        "expiring-now",
        "other-secret",
        "tampered-signature",
        "tampered-payload",
        "bare-prefix",
        "non-ascii",
    ],
)
def test_invalid_checkout_token_is_unauthorized(token: str) -> None:
    assert str(_refusal({"Authorization": f"Bearer {token}"})) == "Unauthorized"


def test_a_checkout_token_cannot_be_turned_into_a_portal_token() -> None:
    """Both are signed with the portal signing secret: a checkout token given to a browser
    must not open its customer's portal when its prefix is swapped for the portal's."""
    body = _checkout_token().removeprefix(CHECKOUT_TOKEN_PREFIX)

    refusal = _refusal({"Authorization": f"Bearer {PORTAL_TOKEN_PREFIX}{body}"})

    assert str(refusal) == "Unauthorized"


def test_a_portal_token_cannot_be_turned_into_a_checkout_token() -> None:
    body = _portal_token("acme-42").removeprefix(PORTAL_TOKEN_PREFIX)

    refusal = _refusal({"Authorization": f"Bearer {CHECKOUT_TOKEN_PREFIX}{body}"})

    assert str(refusal) == "Unauthorized"


@given(session=SESSION_IDS, other=SESSION_IDS, value=CATALOG_IDS)
def test_checkout_policy_reaches_exactly_its_own_sessions_checkout_routes(
    session: str, other: str, value: str
) -> None:
    policy = _checkout_policy(session)

    for route in ROUTES:
        own = _checkout_path(route, session, value)
        for verb in VERBS:
            expected = route.access is Access.CHECKOUT and verb == route.method
            assert allows(policy, _arn(verb, own)) == expected, (verb, own)
        if route.access is Access.CHECKOUT and other != session:
            assert not allows(policy, _arn(route.method, _checkout_path(route, other, value)))


# --- authorize: publishable keys --------------------------------------------------------------


def _publishable_decision(**deps: Any) -> tuple[str, dict[str, Any]]:
    key = new_key("publishable")
    decision = _authorize(
        {"Authorization": f"Bearer {key}"}, table=KeyTable(key, "publishable_key"), **deps
    )
    return key, decision


def test_publishable_routes_are_the_public_pricing_only() -> None:
    assert [(r.method, r.path) for r in ROUTES if r.access is Access.PUBLISHABLE] == [
        ("GET", "/v1/pricing")
    ]


def test_publishable_key_gets_only_the_publishable_routes() -> None:
    key, decision = _publishable_decision()

    key_id = hashlib.sha256(key.encode()).hexdigest()[:12]
    assert decision["principalId"] == f"publishable:{key_id}"
    assert decision["context"] == {"credential": "publishable"}
    statements = decision["policyDocument"]["Statement"]
    assert [s["Effect"] for s in statements] == ["Allow"]
    assert set(statements[0]["Resource"]) == {f"{STAGE_ARN}/GET/v1/pricing"}


def test_publishable_policy_refuses_every_other_route() -> None:
    _, decision = _publishable_decision()
    policy = decision["policyDocument"]

    for route in ROUTES:
        request = (route.method, _concrete(route, "acme", "pro").replace("{sessionId}", SESSION))
        expected = route.access is Access.PUBLISHABLE
        assert allows(policy, _arn(*request)) == expected, request
    for verb in VERBS:
        assert allows(policy, _arn(verb, "/v1/pricing")) == (verb == "GET"), verb


def test_unknown_publishable_key_is_unauthorized() -> None:
    stored = new_key("publishable")

    refusal = _refusal(
        {"Authorization": f"Bearer {new_key('publishable')}"},
        table=KeyTable(stored, "publishable_key"),
    )

    assert str(refusal) == "Unauthorized"


def test_a_publishable_key_is_never_a_server_key() -> None:
    """A bf_pk_ key whose record says server key, and a bf_sk_ key whose record says
    publishable key, are both refused: the prefix and the stored kind must agree."""
    publishable = new_key("publishable")
    server = new_server_key()

    as_server = _refusal({"Authorization": f"Bearer {publishable}"}, table=KeyTable(publishable))
    as_publishable = _refusal(
        {"Authorization": f"Bearer {server}"}, table=KeyTable(server, "publishable_key")
    )

    assert str(as_server) == str(as_publishable) == "Unauthorized"


def test_a_publishable_keys_secret_behind_the_server_prefix_is_unauthorized() -> None:
    publishable = new_key("publishable")
    as_server = SERVER_KEY_PREFIX + publishable.removeprefix("bf_pk_")

    refusal = _refusal(
        {"Authorization": f"Bearer {as_server}"}, table=KeyTable(publishable, "publishable_key")
    )

    assert str(refusal) == "Unauthorized"


# --- the usage plan's key ---------------------------------------------------------------------


def _decisions(**deps: Any) -> dict[str, dict[str, Any]]:
    server = new_server_key()
    return {
        "server": _authorize({"Authorization": f"Bearer {server}"}, table=KeyTable(server), **deps),
        "portal": _authorize({"Authorization": f"Bearer {_portal_token('acme')}"}, **deps),
        "checkout": _authorize({"Authorization": f"Bearer {_checkout_token()}"}, **deps),
        "publishable": _publishable_decision(**deps)[1],
    }


def test_every_policy_names_the_usage_plan_key() -> None:
    decisions = _decisions(usage_plan_key=USAGE_PLAN_KEY)

    assert {credential: d.get("usageIdentifierKey") for credential, d in decisions.items()} == {
        "server": USAGE_PLAN_KEY,
        "portal": USAGE_PLAN_KEY,
        "checkout": USAGE_PLAN_KEY,
        "publishable": USAGE_PLAN_KEY,
    }


@pytest.mark.parametrize("configured", [None, ""], ids=["unset", "empty"])
def test_no_usage_plan_key_outside_api_gateway(configured: str | None) -> None:
    decisions = _decisions(usage_plan_key=configured)

    assert [c for c, d in decisions.items() if "usageIdentifierKey" in d] == []
    assert all(d["policyDocument"]["Statement"] for d in decisions.values())
