"""Every handler error in one shape, `{"error": {"code", "message", "field"}}`, with the right
status: validation errors, domain errors and anything unexpected."""

import json
from typing import Annotated, Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from pydantic import Field

from billfold_lambda import gateway_responses
from billfold_lambda.error_bodies import STATUS_BY_ERROR
from billfold_lambda.errors import install_error_handlers

from billfold import errors
from billfold.models import RequestModel
from billfold.validation import field_path

LEAKY_DETAIL = "password=hunter2 at db.internal:5432"


class ThingCreate(RequestModel):
    """A tiny request body: camelCase on the wire, like every billfold request."""

    display_name: str
    trial_days: Annotated[int, Field(ge=0)] = 0


class _PlanGone(errors.NotFound):
    """A domain error subclass the status table does not list by name."""

    code = "plan_gone"


RAISES: dict[str, Exception] = {
    "not-found": errors.NotFound("thing 'x' does not exist", code="thing_not_found"),
    "conflict": errors.Conflict("thing 'x' changed", field="id", code="already_exists"),
    "rule": errors.RuleViolation("too deep", field="parentPlanId", code="parent_chain_too_deep"),
    "invalid": errors.InvalidInput("bad cursor", field="cursor"),
    "unauthorized": errors.Unauthorized("no"),
    "upstream": errors.UpstreamError("stripe down", code="stripe_unavailable"),
    "subclass": _PlanGone("gone"),
    "base": errors.BillfoldError("odd"),
    "crash": RuntimeError(LEAKY_DETAIL),
    "key-error": KeyError(LEAKY_DETAIL),
}


def _app() -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(enable_validation=True)
    install_error_handlers(app)

    @app.post("/things")
    def create(body: ThingCreate) -> dict[str, Any]:
        return {"displayName": body.display_name, "trialDays": body.trial_days}

    @app.get("/raise/<kind>")
    def fail(kind: str) -> dict[str, Any]:
        raise RAISES[kind]

    return app


APP = _app()


def _event(method: str, path: str, body: str | None = None) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "requestId": "req-1",
            "stage": "dev",
            "path": f"/dev{path}",
            "httpMethod": method,
            "resourcePath": path,
            "identity": {"sourceIp": "203.0.113.7"},
        },
        "body": body,
        "isBase64Encoded": False,
    }


def _resolve(method: str, path: str, body: str | None = None) -> tuple[int, dict[str, Any]]:
    """Status and error detail of a response, checking that it has billfold's error shape."""
    response = APP.resolve(_event(method, path, body), None)  # type: ignore[arg-type]
    document = json.loads(response["body"])
    assert set(document) == {"error"}, document
    assert set(document["error"]) == {"code", "message", "field"}
    assert isinstance(document["error"]["message"], str)
    assert document["error"]["message"]
    content_type = response.get("multiValueHeaders", {}).get("Content-Type")
    assert content_type == ["application/json"]
    return response["statusCode"], document["error"]


def test_valid_request_reaches_the_handler() -> None:
    response = APP.resolve(_event("POST", "/things", '{"displayName": "a"}'), None)  # type: ignore[arg-type]

    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"displayName": "a", "trialDays": 0}


@pytest.mark.parametrize("body", ["{bad", '{"displayName": ', "not json at all"])
def test_malformed_json_is_400_malformed_json(body: str) -> None:
    status, error = _resolve("POST", "/things", body)

    assert status == 400
    assert error["code"] == "malformed_json"
    assert error["field"] is None


def test_missing_body_is_400_missing_body() -> None:
    status, error = _resolve("POST", "/things")

    assert (status, error["code"], error["field"]) == (400, "missing_body", None)


def test_missing_field_is_400_invalid_request_naming_the_field_in_camel_case() -> None:
    status, error = _resolve("POST", "/things", "{}")

    assert status == 400
    assert error["code"] == "invalid_request"
    assert error["field"] == "displayName"
    assert error["message"].startswith("displayName: ")


def test_invalid_value_is_400_naming_the_camel_case_field() -> None:
    status, error = _resolve("POST", "/things", '{"displayName": "a", "trialDays": -1}')

    assert (status, error["code"], error["field"]) == (400, "invalid_request", "trialDays")


def test_unknown_field_is_400_naming_it() -> None:
    status, error = _resolve("POST", "/things", '{"displayName": "a", "colour": "red"}')

    assert (status, error["code"], error["field"]) == (400, "invalid_request", "colour")


@pytest.mark.parametrize(
    ("kind", "status", "code", "field"),
    [
        ("not-found", 404, "thing_not_found", None),
        ("conflict", 409, "already_exists", "id"),
        ("rule", 422, "parent_chain_too_deep", "parentPlanId"),
        ("invalid", 400, "invalid_request", "cursor"),
        ("unauthorized", 401, "unauthorized", None),
        ("upstream", 502, "stripe_unavailable", None),
        ("subclass", 404, "plan_gone", None),
        ("base", 500, "internal_error", None),
    ],
)
def test_domain_errors_map_to_their_status_with_code_and_field(
    kind: str, status: int, code: str, field: str | None
) -> None:
    actual_status, error = _resolve("GET", f"/raise/{kind}")

    assert actual_status == status
    assert error["code"] == code
    assert error["field"] == field
    assert error["message"] == RAISES[kind].args[0]


@pytest.mark.parametrize("kind", ["crash", "key-error"])
def test_unexpected_exception_is_500_internal_error_without_leaking_details(kind: str) -> None:
    response = APP.resolve(_event("GET", f"/raise/{kind}"), None)  # type: ignore[arg-type]
    status, error = _resolve("GET", f"/raise/{kind}")

    assert status == 500
    assert error["code"] == "internal_error"
    assert error["field"] is None
    assert "hunter2" not in response["body"]
    assert "RuntimeError" not in response["body"]


def test_unknown_route_is_404_route_not_found() -> None:
    status, error = _resolve("GET", "/nowhere")

    assert (status, error["code"]) == (404, "route_not_found")


def test_every_domain_error_class_has_a_4xx_or_5xx_status() -> None:
    domain_errors = set(errors.BillfoldError.__subclasses__())

    assert domain_errors == set(STATUS_BY_ERROR)
    assert all(400 <= status < 600 for status in STATUS_BY_ERROR.values())


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        (("body", "prices", 0, "amount"), "prices.0.amount"),
        (("body", "displayName"), "displayName"),
        (("body",), None),
        ((), None),
    ],
)
def test_field_path_joins_the_location_without_the_body(
    location: tuple[int | str, ...], expected: str | None
) -> None:
    assert field_path(location) == expected


def test_gateway_responses_share_the_error_shape_and_have_unique_types() -> None:
    types = [response.response_type for response in gateway_responses.ALL]

    assert len(set(types)) == len(types)
    for response in gateway_responses.ALL:
        assert set(response.body()) == {"error"}
        assert response.body()["error"] == {
            "code": response.code,
            "message": response.message,
            "field": None,
        }
        assert response.status is None or 400 <= response.status < 600
    assert gateway_responses.UNAUTHORIZED.status == 401
    assert gateway_responses.ACCESS_DENIED.status == 403


def test_every_code_the_gateway_or_a_catalog_store_answers_is_published() -> None:
    from billfold_lambda import gateway_responses

    from billfold.errors import ErrorCode

    gateway = {r.code for r in (*gateway_responses.ALL, gateway_responses.URI_TOO_LONG)}
    catalog = {f"{noun}_{what}" for noun in ("plan", "addon") for what in ("not_found", "archived")}

    assert gateway | catalog <= set(ErrorCode)


def test_the_error_body_documents_its_codes_as_an_enum() -> None:
    from billfold_lambda.error_bodies import ErrorBody

    from billfold.errors import ErrorCode

    schema = ErrorBody.model_json_schema()

    assert set(schema["$defs"]["ErrorCode"]["enum"]) == set(ErrorCode)
