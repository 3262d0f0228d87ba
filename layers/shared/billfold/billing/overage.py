"""Overage, priced: what usage past an included amount costs, as one billing line. Pure; which
usage counts and how much was used is the caller's (`subscriptions.overage`)."""

from billfold.billing.lines import BillingLine
from billfold.billing.periods import Period
from billfold.catalog.price_models import PriceModel, price_quantity


def overage_charge(
    *,
    feature_id: str,
    unit_plural: str,
    included: int,
    used: int,
    price: PriceModel,
    currency: str,
    period: Period,
) -> BillingLine | None:
    """The charge for the units used past `included` in `period`, priced by `price` (per unit,
    tiers over the units past the limit, or packages); None within it."""
    over = used - included
    if over <= 0:
        return None
    priced = price_quantity(price, over)
    return BillingLine(
        key=f"overage:{feature_id}",
        description=f"{unit_plural[:1].upper()}{unit_plural[1:]} over the included {included:,}",
        kind="charge",
        amount=priced.amount,
        currency=currency,
        quantity=over,
        unit_amount=price.amount or 0,
        tiers=priced.tiers,
        period_start=period.start,
        period_end=period.end,
    )
