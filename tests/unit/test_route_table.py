"""The route table: the one list that the CDK API, the local gateway and OpenAPI are built from."""

import keyword
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from billfold_lambda.entry import as_json_request
from billfold_lambda.routes import (
    BACKGROUND_FUNCTIONS,
    ROUTES,
    ROUTES_BY_OPERATION,
    Access,
    Needs,
    Route,
)

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
NON_ROUTE_FUNCTIONS = set(BACKGROUND_FUNCTIONS)
ROUTE_IDS = [route.operation for route in ROUTES]


def test_operations_are_unique() -> None:
    duplicated = [op for op, count in Counter(ROUTE_IDS).items() if count > 1]

    assert duplicated == []
    assert len(ROUTES_BY_OPERATION) == len(ROUTES)


def test_method_and_path_pairs_are_unique() -> None:
    pairs = Counter((route.method, route.path) for route in ROUTES)

    assert [pair for pair, count in pairs.items() if count > 1] == []


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_every_operation_has_its_handler_declaring_that_operation(route: Route) -> None:
    handler = FUNCTIONS / route.operation / "handler.py"

    assert handler.is_file()
    assert f'Api("{route.operation}")' in handler.read_text()


def test_every_function_directory_is_a_route_or_the_authorizer() -> None:
    directories = {p.parent.name for p in FUNCTIONS.glob("*/handler.py")}

    assert directories - NON_ROUTE_FUNCTIONS == set(ROUTES_BY_OPERATION)
    assert directories >= NON_ROUTE_FUNCTIONS


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_creates_and_grants_return_201_links_302_and_everything_else_200(route: Route) -> None:
    expected = 201 if route.operation.startswith(("create_", "grant_")) else 200
    if route.access is Access.EMAIL_LINK:
        expected = 302  # a link opens the portal

    assert route.status == expected


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_path_is_versioned_clean_and_has_only_identifier_parameters(route: Route) -> None:
    assert route.path.startswith("/v1/")
    assert not route.path.endswith("/")
    assert "//" not in route.path
    for name in route.path_parameters:
        assert name.isidentifier()
        assert not keyword.iskeyword(name)
    assert len(set(route.path_parameters)) == len(route.path_parameters)
    without_parameters = re.sub(r"{\w+}", "", route.path)
    assert "{" not in without_parameters
    assert "}" not in without_parameters
    assert re.fullmatch(r"[a-z0-9/_-]*", without_parameters)


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_method_is_an_http_verb_api_gateway_accepts(route: Route) -> None:
    assert route.method in {"GET", "POST", "PUT", "PATCH", "DELETE"}


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_routes_naming_a_customer_are_customer_scoped(route: Route) -> None:
    assert route.customer_scoped == ("customerId" in route.path_parameters)


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_reads_never_need_write_access(route: Route) -> None:
    assert Needs.TABLE_READ in route.needs
    if route.method == "GET":
        assert Needs.TABLE_WRITE not in route.needs
        assert not route.needs & {Needs.BILLING_QUEUE, Needs.WEBHOOK_QUEUE}


def test_path_parameters_and_resolver_path() -> None:
    route = ROUTES_BY_OPERATION["archive_plan"]

    assert route.path_parameters == ("planId",)
    assert route.resolver_path == "/v1/plans/<planId>/archive"
    assert ROUTES_BY_OPERATION["list_plans"].path_parameters == ()


# --- as_json_request --------------------------------------------------------------------------


def _event(body: str | None, headers: dict[str, str] | None) -> dict[str, Any]:
    return {
        "httpMethod": "POST",
        "path": "/v1/features",
        "headers": headers,
        "multiValueHeaders": None if headers is None else {k: [v] for k, v in headers.items()},
        "body": body,
    }


@pytest.mark.parametrize("body", [None, ""])
def test_as_json_request_leaves_a_bodyless_event_untouched(body: str | None) -> None:
    event = _event(body, {"content-type": "application/x-www-form-urlencoded"})

    assert as_json_request(event) is event
    assert event["headers"] == {"content-type": "application/x-www-form-urlencoded"}


def test_as_json_request_replaces_a_form_content_type_whatever_its_case() -> None:
    event = _event(
        '{"id": "sso"}',
        {"content-type": "application/x-www-form-urlencoded", "Authorization": "Bearer k"},
    )

    result = as_json_request(event)

    assert result["headers"] == {"Authorization": "Bearer k", "Content-Type": "application/json"}
    assert result["multiValueHeaders"] == {
        "Authorization": ["Bearer k"],
        "Content-Type": ["application/json"],
    }
    assert result["body"] == '{"id": "sso"}'
    assert event["headers"]["content-type"] == "application/x-www-form-urlencoded"


def test_as_json_request_adds_a_content_type_when_none_was_sent() -> None:
    result = as_json_request(_event('{"id": "sso"}', None))

    assert result["headers"] == {"Content-Type": "application/json"}
    assert result["multiValueHeaders"] == {"Content-Type": ["application/json"]}
