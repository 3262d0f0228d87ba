"""Domain errors: each names a machine-readable code and, where one input is at fault, its field.

The HTTP adapter maps each class to one status code; the domain never speaks HTTP.
"""

from enum import StrEnum


class ErrorCode(StrEnum):
    """Every `error.code` the API answers with: one code per kind of mistake, published as an
    enum in the OpenAPI document."""

    ADDON_ARCHIVED = "addon_archived"
    ADDON_NOT_ALLOWED = "addon_not_allowed"
    ADDON_NOT_FOUND = "addon_not_found"
    ALREADY_EXISTS = "already_exists"
    BAD_REQUEST = "bad_request"
    CARD_DECLINED = "card_declined"
    CHECKOUT_LOCKED = "checkout_locked"
    CHECKOUT_SESSION_EXPIRED = "checkout_session_expired"
    CHECKOUT_SESSION_NOT_FOUND = "checkout_session_not_found"
    CONCURRENT_MODIFICATION = "concurrent_modification"
    CONFLICT = "conflict"
    COUPON_CURRENCY_MISMATCH = "coupon_currency_mismatch"
    COUPON_NOT_FOUND = "coupon_not_found"
    CREDIT_TYPE_NOT_FOUND = "credit_type_not_found"
    CUSTOMER_NOT_FOUND = "customer_not_found"
    FALLBACK_NOT_FREE = "fallback_not_free"
    FALLBACK_SELF = "fallback_self"
    FEATURE_ARCHIVED = "feature_archived"
    FEATURE_NOT_FOUND = "feature_not_found"
    FEATURE_NOT_IN_PLAN = "feature_not_in_plan"
    FEATURE_NOT_METERED = "feature_not_metered"
    FORBIDDEN = "forbidden"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    GRANT_NOT_FOUND = "grant_not_found"
    INSUFFICIENT_CREDITS = "insufficient_credits"
    INTERNAL_ERROR = "internal_error"
    INVALID_CURSOR = "invalid_cursor"
    INVALID_ENTITLEMENT = "invalid_entitlement"
    INVALID_EVENT = "invalid_event"
    INVALID_PROMOTION_CODE = "invalid_promotion_code"
    INVALID_REQUEST = "invalid_request"
    INVALID_SIGNATURE = "invalid_signature"
    INVOICE_NOT_FOUND = "invoice_not_found"
    INVOICE_NOT_OPEN = "invoice_not_open"
    INVOICE_RACE = "invoice_race"
    LEDGER_ENTRY_NOT_FOUND = "ledger_entry_not_found"
    LIMIT_EXCEEDED = "limit_exceeded"
    MALFORMED_JSON = "malformed_json"
    MISSING_BODY = "missing_body"
    NO_SUBSCRIPTION = "no_subscription"
    NOT_FOUND = "not_found"
    PARENT_CHAIN_TOO_DEEP = "parent_chain_too_deep"
    PARENT_CYCLE = "parent_cycle"
    PAYMENT_METHOD_NOT_FOUND = "payment_method_not_found"
    PAYMENT_METHOD_REQUIRED = "payment_method_required"
    PLAN_ARCHIVED = "plan_archived"
    PLAN_NOT_FOUND = "plan_not_found"
    PRICE_NOT_AVAILABLE = "price_not_available"
    PROMOTION_CODES_NOT_ALLOWED = "promotion_codes_not_allowed"
    PRORATION_REFUSED = "proration_refused"
    PROMOTION_CODE_NOT_FOUND = "promotion_code_not_found"
    PROMOTION_NOT_FOUND = "promotion_not_found"
    QUOTE_CHANGED = "quote_changed"
    QUANTITY_ABOVE_MAX = "quantity_above_max"
    RENEWAL_PENDING = "renewal_pending"
    ROUTE_NOT_FOUND = "route_not_found"
    RULE_VIOLATION = "rule_violation"
    SELLER_ONLY_FIELD = "seller_only_field"
    SETUP_INTENT_NOT_FOUND = "setup_intent_not_found"
    SETUP_INTENT_NOT_SUCCEEDED = "setup_intent_not_succeeded"
    SPEND_LIMIT_REACHED = "spend_limit_reached"
    SUBSCRIPTION_CANCELED = "subscription_canceled"
    SUBSCRIPTION_EXISTS = "subscription_exists"
    THROTTLED = "throttled"
    UNAUTHORIZED = "unauthorized"
    UNKNOWN_ADDON = "unknown_addon"
    UNKNOWN_COUPON = "unknown_coupon"
    UNKNOWN_CREDIT_PACK = "unknown_credit_pack"
    UNKNOWN_CREDIT_TYPE = "unknown_credit_type"
    UNKNOWN_FEATURE = "unknown_feature"
    UNKNOWN_PLAN = "unknown_plan"
    UPSTREAM_ERROR = "upstream_error"
    URI_TOO_LONG = "uri_too_long"
    USAGE_BELOW_ZERO = "usage_below_zero"
    VERSION_NOT_FOUND = "version_not_found"
    WEBHOOK_DELIVERY_NOT_FOUND = "webhook_delivery_not_found"
    WEBHOOK_ENDPOINT_NOT_FOUND = "webhook_endpoint_not_found"


class BillfoldError(Exception):
    """Base of every error the domain raises on purpose."""

    code = ErrorCode.INTERNAL_ERROR

    def __init__(
        self, message: str, *, field: str | None = None, code: ErrorCode | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class InvalidInput(BillfoldError):
    """The request is well-formed but a value in it is invalid (e.g. an unknown currency)."""

    code = ErrorCode.INVALID_REQUEST


class Forbidden(BillfoldError):
    """The caller may not do this: e.g. a customer setting terms only the seller may grant."""

    code = ErrorCode.FORBIDDEN


class NotFound(BillfoldError):
    """The resource does not exist (or is not visible to this caller)."""

    code = ErrorCode.NOT_FOUND


class Conflict(BillfoldError):
    """The resource's state forbids the change, or a concurrent change won."""

    code = ErrorCode.CONFLICT


class Gone(BillfoldError):
    """The resource existed but is no longer usable (an expired checkout session)."""

    code = ErrorCode.NOT_FOUND


class PaymentDeclined(BillfoldError):
    """The bank declined the card: `message` is its reason, for the customer."""

    code = ErrorCode.CARD_DECLINED


class RuleViolation(BillfoldError):
    """A valid request that the catalog's or billing's rules refuse."""

    code = ErrorCode.RULE_VIOLATION


class Unauthorized(BillfoldError):
    """No credential, or one that is not valid."""

    code = ErrorCode.UNAUTHORIZED


class UpstreamError(BillfoldError):
    """A dependency (Stripe) failed; nothing was written."""

    code = ErrorCode.UPSTREAM_ERROR


def already_exists(noun: str, item_id: str) -> Conflict:
    """A create for an id that already exists with other content (a replay gets the original)."""
    return Conflict(
        f"{noun} '{item_id}' already exists with other content",
        field="id",
        code=ErrorCode.ALREADY_EXISTS,
    )


def changed_concurrently(noun: str, item_id: str) -> Conflict:
    """A conditional write lost to another request that changed the item first."""
    return Conflict(
        f"{noun} '{item_id}' was changed by another request; read it again and retry",
        code=ErrorCode.CONCURRENT_MODIFICATION,
    )


def idempotency_key_reused(what: str) -> InvalidInput:
    """A request that reuses an idempotency key for something other than what it first asked."""
    return InvalidInput(
        f"this idempotency key was already used for a different {what}",
        field="idempotencyKey",
        code=ErrorCode.IDEMPOTENCY_KEY_REUSED,
    )
