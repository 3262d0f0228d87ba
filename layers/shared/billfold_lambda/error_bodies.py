"""Billfold's one error shape, {"error": {"code", "message", "field"}}, and which status each
domain error answers with: what every glue needs, without Powertools' resolver."""

import json
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel
from pydantic_core import ErrorDetails

from billfold import errors
from billfold.errors import ErrorCode
from billfold.validation import field_path, first_error

THROTTLING_CODES = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
)
"""AWS errors that mean "slow down": a 429 for the client, not a 500."""
THROTTLED = "Too many requests right now; retry shortly."
INTERNAL = "Something went wrong on our side; retry later."

STATUS_BY_ERROR: dict[type[errors.BillfoldError], int] = {
    errors.InvalidInput: 400,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.PaymentDeclined: 402,
    errors.Conflict: 409,
    errors.Gone: 410,
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


def is_throttling(error: ClientError) -> bool:
    """Whether AWS refused the call to slow the caller down."""
    return error.response.get("Error", {}).get("Code") in THROTTLING_CODES


def status_of(error: errors.BillfoldError) -> int:
    """The HTTP status a domain error answers with."""
    for kind in type(error).__mro__:
        if kind in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[kind]
    return 500


def error_json(code: ErrorCode, message: str, field: str | None = None) -> str:
    """An error body, as JSON text."""
    return json.dumps({"error": {"code": code, "message": message, "field": field}})


def proxy_error(
    status: int, code: ErrorCode, message: str, field: str | None = None
) -> dict[str, Any]:
    """An error as a Lambda proxy result."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": error_json(code, message, field),
        "isBase64Encoded": False,
    }


def invalid_request(details: Sequence[ErrorDetails]) -> tuple[ErrorCode, str, str | None]:
    """A request's validation errors as one: `malformed_json`, `missing_body`, or
    `invalid_request` naming the first field at fault."""
    first = details[0] if details else None
    if first and first.get("type") == "json_invalid":
        return ErrorCode.MALFORMED_JSON, "The request body is not valid JSON.", None
    if first and first.get("type") == "missing" and field_path(first.get("loc", ())) is None:
        return ErrorCode.MISSING_BODY, "This request needs a JSON body.", None
    invalid = first_error(details) if details else errors.InvalidInput("The request is invalid.")
    return ErrorCode.INVALID_REQUEST, invalid.message, invalid.field
