"""What a subscription costs: catalog prices for its billing period and currency."""

from collections.abc import Sequence
from typing import TypeVar

from billfold.catalog.models import Addon, AddonPrice, Plan, Price
from billfold.catalog.plans import plan_store
from billfold.catalog.terms import BillingPeriod
from billfold.errors import ErrorCode, InvalidInput, RuleViolation
from billfold.storage.table import Table
from billfold.subscriptions.models import AddonQuantity, SubscribedAddon

_P = TypeVar("_P", Price, AddonPrice)


def _price_for(
    prices: Sequence[_P], period: BillingPeriod, currency: str, *, what: str, field: str
) -> _P | None:
    """The price for one period in the currency; None for a plan or add-on with no prices
    (free)."""
    if not prices:
        return None
    for price in prices:
        if price.billing_period == period and price.currency == currency:
            return price
    raise RuleViolation(
        f"{what} has no {period} price in {currency}",
        field=field,
        code=ErrorCode.PRICE_NOT_AVAILABLE,
    )


def plan_price(plan: Plan, period: BillingPeriod, currency: str) -> int:
    """The plan's price for the period and currency."""
    price = _price_for(plan.prices, period, currency, what=f"plan '{plan.id}'", field="planId")
    return price.amount if price else 0


def subscribed_addon(
    addon: Addon, quantity: int, plan: Plan, period: BillingPeriod, currency: str, field: str
) -> SubscribedAddon:
    """An add-on as held on `plan`, after checking the plan accepts it and the quantity fits."""
    if addon.status != "active":
        raise RuleViolation(
            f"add-on '{addon.id}' is archived",
            field=f"{field}.addonId",
            code=ErrorCode.ADDON_ARCHIVED,
        )
    if plan.id not in addon.plan_ids:
        raise RuleViolation(
            f"plan '{plan.id}' does not accept add-on '{addon.id}'",
            field=f"{field}.addonId",
            code=ErrorCode.ADDON_NOT_ALLOWED,
        )
    if quantity > addon.max_quantity:
        raise RuleViolation(
            f"add-on '{addon.id}' allows at most {addon.max_quantity}",
            field=f"{field}.quantity",
            code=ErrorCode.QUANTITY_ABOVE_MAX,
        )
    price = _price_for(
        addon.prices, period, currency, what=f"add-on '{addon.id}'", field=f"{field}.addonId"
    )
    return SubscribedAddon(
        addon_id=addon.id,
        version=addon.version,
        name=addon.name,
        quantity=quantity,
        unit_amount=(price.amount or 0) if price else 0,
        price_model=price.price_model() if price and price.model != "per_unit" else None,
    )


def live_plan(table: Table, plan_id: str) -> Plan:
    """The plan's current version, if it exists and is on sale (else 400 or 422)."""
    return on_sale(plan_store(table).current(plan_id, consistent=True), plan_id)


def on_sale(plan: Plan | None, plan_id: str) -> Plan:
    """The plan's head as read, if it exists and is on sale (else 400 or 422)."""
    if plan is None:
        raise InvalidInput(
            f"plan '{plan_id}' does not exist", field="planId", code=ErrorCode.UNKNOWN_PLAN
        )
    if plan.status != "active":
        raise RuleViolation(
            f"plan '{plan_id}' is archived", field="planId", code=ErrorCode.PLAN_ARCHIVED
        )
    return plan


def priced(
    addon: Addon | None,
    wanted: AddonQuantity,
    plan: Plan,
    period: BillingPeriod,
    currency: str,
    field: str,
) -> tuple[Addon, SubscribedAddon]:
    """The add-on's head as read, sold on `plan`: existing, accepted, within max, priced."""
    if addon is None:
        raise InvalidInput(
            f"add-on '{wanted.addon_id}' does not exist",
            field=f"{field}.addonId",
            code=ErrorCode.UNKNOWN_ADDON,
        )
    return addon, subscribed_addon(addon, wanted.quantity, plan, period, currency, field)
