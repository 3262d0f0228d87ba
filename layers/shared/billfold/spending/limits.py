"""Spend limits as stored: one item per customer under the `ENT` prefix, so an entitlement
check reads it with the entitlements, counters and wallets."""

from typing import Annotated

from pydantic import Field, StrictInt

from billfold.clock import Clock
from billfold.customers.service import get_customer
from billfold.models import ApiModel, RequestModel
from billfold.storage import keys
from billfold.storage.table import Delete, Table


class SpendLimitSettings(RequestModel):
    """A monthly cap on what overage and auto-recharge may cost, in minor units of the
    subscription's currency; `null` removes it."""

    monthly_limit: Annotated[StrictInt, Field(ge=0, le=10**12)] | None


class SpendLimit(ApiModel):
    """The customer's spend limit (`monthlyLimit` null: none) and what counts toward it now:
    overage accrued this billing period and auto-recharge purchases this calendar month."""

    customer_id: str
    monthly_limit: int | None
    currency: str | None
    overage: int = 0
    auto_recharge: int = 0
    remaining: int | None = None
    reached: bool = False
    customer_may_set: bool = False
    """Whether the customer may set it in the portal (the seller's choice)."""


def save_spend_limit(
    table: Table, customer_id: str, settings: SpendLimitSettings, currency: str | None, clock: Clock
) -> None:
    """Set or remove the limit (a limit needs the subscription's currency)."""
    get_customer(table, customer_id)
    key = keys.spend_limit(customer_id)
    if settings.monthly_limit is None:
        table.transact([Delete(key)])
        return
    if currency is None:
        raise ValueError("a spend limit needs the subscription's currency")
    table.put(
        {
            **key,
            "kind": "spend_limit",
            "monthly_limit": settings.monthly_limit,
            "currency": currency,
            "updated_at": clock.now().isoformat(),
        }
    )
