"""Typed errors: one class per kind of refusal, each carrying billfold's error code."""

from typing import Any


class BillfoldError(Exception):
    """billfold refused the request: `status`, the machine-readable `code` and the `field` it
    names (if any)."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(f"{status} {code}: {message}" + (f" ({field})" if field else ""))
        self.status = status
        self.code = code
        self.message = message
        self.field = field


class InvalidRequest(BillfoldError):
    """400: a value is invalid; `field` names it."""


class AuthenticationError(BillfoldError):
    """401: no credential, or one that is not valid (or has expired)."""


class PermissionDenied(BillfoldError):
    """403: this credential may not do this."""


class NotFound(BillfoldError):
    """404."""


class Conflict(BillfoldError):
    """409: the state forbids it, or a concurrent change won (read again and retry)."""


class Gone(BillfoldError):
    """410: it expired (a checkout session)."""


class RuleViolation(BillfoldError):
    """422: valid, but billing's rules refuse it (a limit, insufficient credits…)."""


class RateLimited(BillfoldError):
    """429: too many requests."""


class ServerError(BillfoldError):
    """5xx: billfold or a dependency failed."""


class Unreachable(BillfoldError):
    """billfold could not be reached at all (a network error after the retries)."""

    def __init__(self, message: str) -> None:
        super().__init__(0, "unreachable", message)


_BY_STATUS: dict[int, type[BillfoldError]] = {
    400: InvalidRequest,
    401: AuthenticationError,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    410: Gone,
    422: RuleViolation,
    429: RateLimited,
}


def error_for(status: int, body: Any) -> BillfoldError:
    """The typed error for a refused request's status and billfold error body."""
    detail = body.get("error", {}) if isinstance(body, dict) else {}
    kind = _BY_STATUS.get(status, ServerError if status >= 500 else BillfoldError)
    return kind(
        status,
        str(detail.get("code") or "request_failed"),
        str(detail.get("message") or f"the request failed ({status})"),
        detail.get("field"),
    )
