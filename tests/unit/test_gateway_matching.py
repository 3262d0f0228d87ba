"""The local gateway's route matching and its own (pre-handler) refusals."""

import json
from pathlib import Path

import pytest

from billfold_lambda import gateway_responses
from billfold_lambda.routes import ROUTES, ROUTES_BY_OPERATION, Route

from local.events import HttpRequest, method_arn
from local.functions import FunctionLoader
from local.gateway import LocalGateway


@pytest.fixture
def gateway(tmp_path: Path) -> LocalGateway:
    """A gateway whose functions directory is empty: loading any handler would fail."""
    return LocalGateway(FunctionLoader(tmp_path), stage="dev")


def _request(method: str, path: str, headers: dict[str, list[str]] | None = None) -> HttpRequest:
    return HttpRequest(method, path, {}, headers or {}, b"", "127.0.0.1")


@pytest.mark.parametrize(
    ("method", "path", "operation", "parameters"),
    [
        ("GET", "/v1/plans", "list_plans", {}),
        ("POST", "/v1/plans", "create_plan", {}),
        ("GET", "/v1/plans/pro", "get_plan", {"planId": "pro"}),
        ("PATCH", "/v1/plans/pro", "update_plan", {"planId": "pro"}),
        ("POST", "/v1/plans/pro/archive", "archive_plan", {"planId": "pro"}),
        ("GET", "/v1/features/api-calls", "get_feature", {"featureId": "api-calls"}),
        ("GET", "/v1/customers/acme.inc_42", "get_customer", {"customerId": "acme.inc_42"}),
        ("PATCH", "/v1/addons/extra-seats", "update_addon", {"addonId": "extra-seats"}),
    ],
)
def test_match_finds_the_route_and_its_path_parameters(
    gateway: LocalGateway, method: str, path: str, operation: str, parameters: dict[str, str]
) -> None:
    matched = gateway.match(method, path)

    assert matched is not None
    route, found = matched
    assert route.operation == operation
    assert found == parameters


@pytest.mark.parametrize("route", ROUTES, ids=[r.operation for r in ROUTES])
def test_every_route_matches_its_own_concrete_path(gateway: LocalGateway, route: Route) -> None:
    path = route.path
    for name in route.path_parameters:
        path = path.replace("{" + name + "}", f"value-of-{name}")

    assert gateway.match(route.method, path) == (
        route,
        {name: f"value-of-{name}" for name in route.path_parameters},
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/v1/plans/pro"),
        ("PUT", "/v1/features"),
        ("GET", "/v1/plans/pro/archive"),
        ("get", "/v1/plans"),
        ("HEAD", "/v1/plans"),
    ],
)
def test_match_refuses_a_method_the_path_does_not_have(
    gateway: LocalGateway, method: str, path: str
) -> None:
    assert gateway.match(method, path) is None


@pytest.mark.parametrize(
    "path",
    [
        "/v1/plans/pro/extra",
        "/v1/plans/pro/archive/again",
        "/v1/plans/",
        "/v1/plans//archive",
        "/v1/features/a/b",
        "/v1/plansx",
        "/v2/plans",
        "v1/plans",
        "/dev/v1/plans",
        "",
    ],
)
def test_match_refuses_paths_with_extra_missing_or_empty_segments(
    gateway: LocalGateway, path: str
) -> None:
    assert gateway.match("GET", path) is None
    assert gateway.match("POST", path) is None


def test_parameters_never_span_a_slash(gateway: LocalGateway) -> None:
    matched = gateway.match("GET", "/v1/customers/acme%2Fother")

    assert matched == (ROUTES_BY_OPERATION["get_customer"], {"customerId": "acme%2Fother"})


def test_unknown_route_is_the_gateways_404_without_loading_anything(
    gateway: LocalGateway,
) -> None:
    response = gateway.handle(_request("GET", "/v1/nowhere", {"Authorization": ["Bearer x"]}))

    assert response.status == 404
    assert json.loads(response.body) == gateway_responses.ROUTE_NOT_FOUND.body()


def test_missing_credential_is_the_gateways_401_without_loading_anything(
    gateway: LocalGateway,
) -> None:
    response = gateway.handle(_request("GET", "/v1/plans"))

    assert response.status == 401
    assert json.loads(response.body)["error"]["code"] == "unauthorized"


def test_method_arn_is_what_authorizer_policies_are_written_against() -> None:
    assert method_arn("dev", "GET", "/v1/plans/pro") == (
        "arn:aws:execute-api:us-east-1:000000000000:local/dev/GET/v1/plans/pro"
    )
