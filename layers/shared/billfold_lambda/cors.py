"""Cross-origin access for browsers (the portal): one policy for the handlers' responses, the
API Gateway preflight (CDK) and the local gateway."""

from collections.abc import Mapping
from typing import Any

from billfold import config

ALLOW_HEADERS = ("Authorization", "Content-Type")
ALLOW_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
MAX_AGE_SECONDS = 600


def _allowed_origin(origin: str | None) -> str | None:
    """What `Access-Control-Allow-Origin` answers `origin`: `*`, the origin itself, or None
    for an origin the deployment does not allow."""
    allowed = config.cors_origins()
    if not origin:
        return None
    if "*" in allowed:
        return "*"
    return origin if origin in allowed else None


def request_origin(headers: Mapping[str, Any] | None) -> str | None:
    """The request's `Origin` header, whatever its case."""
    return next((str(v) for k, v in (headers or {}).items() if k.lower() == "origin"), None)


def response_headers(origin: str | None) -> dict[str, str]:
    """The CORS headers of an answer to a request from `origin` (none for another origin)."""
    allowed = _allowed_origin(origin)
    return {"Access-Control-Allow-Origin": allowed, "Vary": "Origin"} if allowed else {}


def preflight_headers(origin: str | None) -> dict[str, str]:
    """What a preflight (OPTIONS) answers an allowed `origin`; nothing for another origin."""
    headers = response_headers(origin)
    if not headers:
        return {}
    return {
        **headers,
        "Access-Control-Allow-Headers": ",".join(ALLOW_HEADERS),
        "Access-Control-Allow-Methods": ",".join(ALLOW_METHODS),
        "Access-Control-Max-Age": str(MAX_AGE_SECONDS),
    }


def with_cors(event: Mapping[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """A Lambda proxy result with the CORS headers its request's origin gets."""
    headers = response_headers(request_origin(event.get("headers")))
    if not headers:
        return result
    merged = {**(result.get("headers") or {}), **headers}
    multi = result.get("multiValueHeaders")
    if multi:
        multi = {**multi, **{name: [value] for name, value in headers.items()}}
        return {**result, "headers": merged, "multiValueHeaders": multi}
    return {**result, "headers": merged}
