"""Where events flow, stated once for the CDK stack and the local stack: which stream records
reach the relay, and which bus events reach the webhook fan-out and the emails."""

from typing import Any

from billfold.outbox import EventType

RELAYED_RECORDS: tuple[dict[str, Any], ...] = (
    {
        "eventName": ["INSERT"],
        "dynamodb": {
            "Keys": {
                "pk": {"S": [{"prefix": "EVENTS#"}]},
                "sk": {"S": [{"prefix": "EVENT#"}]},
            }
        },
    },
    {
        "eventName": ["INSERT", "MODIFY"],
        "dynamodb": {"Keys": {"sk": {"S": [{"prefix": "ENT#USAGE#"}]}}},
    },
)
"""Lambda event-filter patterns of the stream records the relay is given: new outbox events,
and usage counters written (every other record never invokes it)."""

SOURCE = "billfold"
"""The EventBridge `source` of every billfold event (its `detail-type` is the event type)."""

EVERY_EVENT: dict[str, Any] = {"source": [SOURCE]}
"""The bus rule pattern of the webhook fan-out (each endpoint picks its types)."""

EMAILED = (
    EventType.INVOICE_FINALIZED,
    EventType.INVOICE_PAID,
    EventType.INVOICE_PAYMENT_FAILED,
    EventType.INVOICE_PAYMENT_ACTION_REQUIRED,
    EventType.SUBSCRIPTION_TRIAL_WILL_END,
    EventType.PAYMENT_METHOD_EXPIRING,
    EventType.SUBSCRIPTION_CANCELED,
    EventType.SUBSCRIPTION_SCHEDULED_CHANGE_CREATED,
)
"""The event types that may send the customer an email."""

EMAILED_EVENTS: dict[str, Any] = {
    "source": [SOURCE],
    "detail-type": [event_type.value for event_type in EMAILED],
}
"""The bus rule pattern of the email sender."""


def matches(pattern: Any, value: Any) -> bool:
    """Whether `value` matches an event pattern of the kinds above (nested objects; lists of
    literals or `{"prefix": ...}`): the local stack's stand-in for Lambda's and EventBridge's
    own matching."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(
            matches(wanted, value.get(name)) for name, wanted in pattern.items()
        )
    return any(
        str(value).startswith(option["prefix"]) if isinstance(option, dict) else value == option
        for option in pattern
    )
