"""Domain errors: each names a machine-readable code and, where one input is at fault, its field.

The HTTP adapter maps each class to one status code; the domain never speaks HTTP.
"""


class BillfoldError(Exception):
    """Base of every error the domain raises on purpose."""

    code = "billfold_error"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class InvalidInput(BillfoldError):
    """The request is well-formed but a value in it is invalid (e.g. an unknown currency)."""

    code = "invalid_input"


class Forbidden(BillfoldError):
    """The caller may not do this: e.g. a customer setting terms only the seller may grant."""

    code = "forbidden"


class NotFound(BillfoldError):
    """The resource does not exist (or is not visible to this caller)."""

    code = "not_found"


class Conflict(BillfoldError):
    """The resource's state forbids the change, or a concurrent change won."""

    code = "conflict"


class RuleViolation(BillfoldError):
    """A valid request that the catalog's or billing's rules refuse."""

    code = "rule_violation"


class Unauthorized(BillfoldError):
    """No credential, or one that is not valid."""

    code = "unauthorized"


class UpstreamError(BillfoldError):
    """A dependency (Stripe) failed; nothing was written."""

    code = "upstream_error"


def already_exists(noun: str, item_id: str) -> Conflict:
    """A create for an id that already exists with other content (a replay gets the original)."""
    return Conflict(
        f"{noun} '{item_id}' already exists with other content", field="id", code="already_exists"
    )


def changed_concurrently(noun: str, item_id: str) -> Conflict:
    """A conditional write lost to another request that changed the item first."""
    return Conflict(
        f"{noun} '{item_id}' was changed by another request; read it again and retry",
        code="concurrent_modification",
    )
