"""The hot path's glue answers as `Api`'s resolver does: the endpoint's result with the route's
status, parameters and body validated into billfold's error shape, and AWS throttling and
anything unexpected mapped like the resolver maps them."""

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from billfold_lambda.lean import LeanApi
from billfold_lambda.params import CatalogIdPath, CustomerIdPath, Requested

from billfold.errors import NotFound
from billfold.usage.models import UsageResult
from billfold.usage.requests import ConsumeRequest
from local.lambda_context import LocalLambdaContext

CONTEXT = LocalLambdaContext("consume_usage")


def _event(customer: str = "acme", body: Any = None, **query: str) -> dict[str, Any]:
    return {
        "httpMethod": "POST",
        "path": f"/v1/customers/{customer}/usage/api-calls/consume",
        "pathParameters": {"customerId": customer, "featureId": "api-calls"},
        "queryStringParameters": query or None,
        "headers": {},
        "requestContext": {"authorizer": {"credential": "server"}},
        "body": None if body is None else json.dumps(body),
    }


def _api(outcome: Any) -> LeanApi:
    api = LeanApi("consume_usage")

    @api.route
    def consume(
        customerId: CustomerIdPath,
        featureId: CatalogIdPath,
        body: ConsumeRequest,
        requested: Requested = 1,
    ) -> UsageResult:
        if isinstance(outcome, Exception):
            raise outcome
        return UsageResult(counted=True, used=body.amount + requested)

    return api


def _error(response: dict[str, Any]) -> tuple[int, str, str | None]:
    error = json.loads(response["body"])["error"]
    return response["statusCode"], error["code"], error["field"]


def test_a_valid_request_gets_the_endpoints_result_with_the_routes_status() -> None:
    response = _api(None).handler(
        _event(body={"amount": 2, "idempotencyKey": "k"}, requested="5"), CONTEXT
    )

    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"counted": True, "used": 7}


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (_event(body=None), (400, "missing_body", None)),
        (_event(body={"amount": -1, "idempotencyKey": "k"}), (400, "invalid_request", "amount")),
        (_event(body={"amount": 1}), (400, "invalid_request", "idempotencyKey")),
        (
            _event(customer="no way", body={"amount": 1, "idempotencyKey": "k"}),
            (400, "invalid_request", "customerId"),
        ),
        (
            _event(body={"amount": 1, "idempotencyKey": "k"}, requested="1.5"),
            (400, "invalid_request", "requested"),
        ),
    ],
    ids=["no-body", "negative-amount", "missing-key", "bad-path", "bad-query"],
)
def test_bad_input_is_a_400_naming_the_field(event: dict[str, Any], expected: tuple) -> None:
    assert _error(_api(None).handler(event, CONTEXT)) == expected


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (
            NotFound("no such customer", code="customer_not_found"),
            (404, "customer_not_found", None),
        ),
        (
            ClientError({"Error": {"Code": "ThrottlingException"}}, "TransactWriteItems"),
            (429, "throttled", None),
        ),
        (RuntimeError("boom"), (500, "internal_error", None)),
    ],
    ids=["domain", "throttled", "unexpected"],
)
def test_errors_are_mapped_as_the_resolver_maps_them(raised: Exception, expected: tuple) -> None:
    response = _api(raised).handler(_event(body={"amount": 1, "idempotencyKey": "k"}), CONTEXT)

    assert _error(response) == expected
    assert "boom" not in response["body"]
