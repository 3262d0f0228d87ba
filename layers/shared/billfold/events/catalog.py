"""The event catalog: each event type with the model of its `data` (the resource as the API
returns it). docs/events.md is generated from it, JSON Schema and all."""

from typing import Any

from pydantic import BaseModel

from billfold.checkout.models import CheckoutSession
from billfold.credits.ledger import CreditTransaction
from billfold.customers.models import Customer
from billfold.endpoints.models import Endpoint
from billfold.entitlements.models import MaterializedEntitlements
from billfold.events.models import Event
from billfold.invoicing.models import Invoice
from billfold.models import ApiModel
from billfold.outbox import EventType
from billfold.payments.payment_methods import Card
from billfold.prepaid.models import LedgerEntry
from billfold.purchases.models import AutoRechargeFailure
from billfold.spending.reached import SpendLimitReached
from billfold.subscriptions.models import Subscription
from billfold.usage.thresholds import UsageThreshold


class DetachedCard(ApiModel):
    """`data` of `payment_method.detached`: the card's id."""

    id: str


DATA_MODELS: dict[EventType, type[BaseModel]] = {
    EventType.CUSTOMER_CREATED: Customer,
    EventType.CUSTOMER_UPDATED: Customer,
    **{
        event_type: Subscription
        for event_type in EventType
        if event_type.value.startswith("subscription.")
    },
    EventType.ENTITLEMENTS_UPDATED: MaterializedEntitlements,
    EventType.USAGE_THRESHOLD_REACHED: UsageThreshold,
    EventType.USAGE_SOFT_LIMIT_EXCEEDED: UsageThreshold,
    EventType.USAGE_SPEND_LIMIT_REACHED: SpendLimitReached,
    **{event_type: Invoice for event_type in EventType if event_type.value.startswith("invoice.")},
    EventType.PAYMENT_METHOD_ATTACHED: Card,
    EventType.PAYMENT_METHOD_DETACHED: DetachedCard,
    EventType.PAYMENT_METHOD_EXPIRING: Card,
    EventType.CREDIT_BALANCE_CHANGED: CreditTransaction,
    EventType.CREDITS_BALANCE_CHANGED: LedgerEntry,
    EventType.CREDITS_AUTO_RECHARGE_FAILED: AutoRechargeFailure,
    EventType.CHECKOUT_COMPLETED: CheckoutSession,
    EventType.WEBHOOK_ENDPOINT_DISABLED: Endpoint,
}
"""The model of each event type's `data`."""


def event_schema(event_type: EventType) -> dict[str, Any]:
    """The JSON Schema of one event type: the envelope, with `type` fixed and `data` its
    resource's schema."""
    schema = Event.model_json_schema(by_alias=True, mode="serialization")
    data = DATA_MODELS[event_type].model_json_schema(by_alias=True, mode="serialization")
    definitions = {**schema.pop("$defs", {}), **data.pop("$defs", {})}
    schema["title"] = event_type.value
    schema["properties"]["type"] = {"const": event_type.value}
    schema["properties"]["data"] = data
    if definitions:
        schema["$defs"] = definitions
    return schema
