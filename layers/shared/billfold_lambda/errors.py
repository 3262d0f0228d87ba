"""Every error a handler returns, in one shape: {"error": {"code", "message", "field"}}."""

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from botocore.exceptions import ClientError
from pydantic import BaseModel

from billfold import errors
from billfold.errors import ErrorCode
from billfold.validation import field_path, first_error
from billfold_lambda.observability import logger

THROTTLING_CODES = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
)
"""AWS errors that mean "slow down": a 429 for the client, not a 500."""

STATUS_BY_ERROR: dict[type[errors.BillfoldError], int] = {
    errors.InvalidInput: 400,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.RuleViolation: 422,
    errors.UpstreamError: 502,
}


class ErrorDetail(BaseModel):
    """What went wrong, for a program (`code`, `field`) and for a person (`message`)."""

    code: ErrorCode
    message: str
    field: str | None


class ErrorBody(BaseModel):
    """The body of every 4xx and 5xx response."""

    error: ErrorDetail


def error_response(
    status: int, code: ErrorCode, message: str, field: str | None = None
) -> Response[str]:
    """A response in billfold's error shape."""
    body = {"error": {"code": code, "message": message, "field": field}}
    return Response(status, content_types.APPLICATION_JSON, json.dumps(body))


def proxy_error(status: int, code: str, message: str, field: str | None = None) -> dict[str, Any]:
    """An error as a Lambda proxy result, for refusals before the resolver runs."""
    body = {"error": {"code": code, "message": message, "field": field}}
    return {
        "statusCode": status,
        "headers": {"Content-Type": content_types.APPLICATION_JSON},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


def _status_of(error: errors.BillfoldError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[kind]
    return 500


def _invalid_request(error: RequestValidationError) -> Response[str]:
    details = error.errors()
    first = details[0] if details else None
    if first and first.get("type") == "json_invalid":
        return error_response(400, ErrorCode.MALFORMED_JSON, "The request body is not valid JSON.")
    if first and first.get("type") == "missing" and field_path(first.get("loc", ())) is None:
        return error_response(400, ErrorCode.MISSING_BODY, "This request needs a JSON body.")
    invalid = first_error(details) if details else errors.InvalidInput("The request is invalid.")
    return error_response(400, ErrorCode.INVALID_REQUEST, invalid.message, invalid.field)


def install_error_handlers(resolver: APIGatewayRestResolver) -> None:
    """Map validation errors, domain errors and anything unexpected to the one error shape."""

    @resolver.exception_handler(RequestValidationError)  # type: ignore[untyped-decorator]
    def invalid_request(error: RequestValidationError) -> Response[str]:
        return _invalid_request(error)

    @resolver.exception_handler(errors.BillfoldError)  # type: ignore[untyped-decorator]
    def domain_error(error: errors.BillfoldError) -> Response[str]:
        return error_response(_status_of(error), error.code, error.message, error.field)

    @resolver.not_found
    def route_not_found(_: NotFoundError) -> Response[str]:
        return error_response(404, ErrorCode.ROUTE_NOT_FOUND, "No such route.")

    @resolver.exception_handler(ClientError)  # type: ignore[untyped-decorator]
    def aws_error(error: ClientError) -> Response[str]:
        if error.response.get("Error", {}).get("Code") in THROTTLING_CODES:
            return error_response(
                429, ErrorCode.THROTTLED, "Too many requests right now; retry shortly."
            )
        return _internal_error(error)

    @resolver.exception_handler(Exception)  # type: ignore[untyped-decorator]
    def unexpected(error: Exception) -> Response[str]:
        return _internal_error(error)


def _internal_error(error: Exception) -> Response[str]:
    logger.exception("unhandled error", extra={"error_type": type(error).__name__})
    return error_response(
        500, ErrorCode.INTERNAL_ERROR, "Something went wrong on our side; retry later."
    )
