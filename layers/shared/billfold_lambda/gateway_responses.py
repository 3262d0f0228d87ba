"""Error bodies that API Gateway itself returns (before any handler runs).

The CDK stack installs these as gateway responses and the local gateway returns the same ones,
so a client sees one error shape whether a handler or the gateway refused it.
"""

from dataclasses import dataclass

from billfold.errors import ErrorCode


@dataclass(frozen=True)
class GatewayResponse:
    """One API Gateway response type with its status and error body."""

    response_type: str
    status: int | None
    """None keeps the status API Gateway chose (the DEFAULT_* types)."""
    code: ErrorCode
    message: str

    def body(self) -> dict[str, dict[str, str | None]]:
        """The error body, in the shape every billfold error has."""
        return {"error": {"code": self.code.value, "message": self.message, "field": None}}


HEADERS = {"Access-Control-Allow-Origin": "*"}
"""Every gateway error may be read by any page: it names no resource and holds no data, and a
portal must be able to tell "your session expired" (401) from a network failure."""

UNAUTHORIZED = GatewayResponse(
    "UNAUTHORIZED",
    401,
    ErrorCode.UNAUTHORIZED,
    "Missing or invalid credential: send 'Authorization: Bearer <server key or portal token>'.",
)
ACCESS_DENIED = GatewayResponse(
    "ACCESS_DENIED", 403, ErrorCode.FORBIDDEN, "This credential may not call this route."
)
ROUTE_NOT_FOUND = GatewayResponse(
    "MISSING_AUTHENTICATION_TOKEN", 404, ErrorCode.ROUTE_NOT_FOUND, "No such route."
)
THROTTLED = GatewayResponse(
    "THROTTLED", 429, ErrorCode.THROTTLED, "Too many requests; retry later."
)
INVALID_API_KEY = GatewayResponse(
    "INVALID_API_KEY",
    403,
    ErrorCode.FORBIDDEN,
    "This route is metered by the usage plan: call it with a publishable key.",
)
QUOTA_EXCEEDED = GatewayResponse(
    "QUOTA_EXCEEDED", 429, ErrorCode.THROTTLED, "The daily quota is used up; retry tomorrow."
)
BAD_REQUEST_BODY = GatewayResponse(
    "BAD_REQUEST_BODY", 400, ErrorCode.INVALID_REQUEST, "The request body is not valid."
)
DEFAULT_4XX = GatewayResponse(
    "DEFAULT_4XX", None, ErrorCode.BAD_REQUEST, "The request was refused."
)
DEFAULT_5XX = GatewayResponse(
    "DEFAULT_5XX", None, ErrorCode.INTERNAL_ERROR, "Something went wrong on our side; retry later."
)
URI_TOO_LONG = GatewayResponse(
    "DEFAULT_4XX",
    414,
    ErrorCode.URI_TOO_LONG,
    "The request URI is too long; send long input in the body.",
)
"""A request line too long to read (over 64 KiB locally): refused before any route is matched.
Not in ALL, which holds one response per type: deployed, DEFAULT_4XX's body answers it."""

ALL = (
    UNAUTHORIZED,
    ACCESS_DENIED,
    ROUTE_NOT_FOUND,
    THROTTLED,
    INVALID_API_KEY,
    QUOTA_EXCEEDED,
    BAD_REQUEST_BODY,
    DEFAULT_4XX,
    DEFAULT_5XX,
)
