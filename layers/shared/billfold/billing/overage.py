"""Overage, priced: what usage past an included amount costs, as one billing line. Pure; which
usage counts and how much was used is the caller's (`subscriptions.overage`)."""

from billfold.billing.lines import BillingLine
from billfold.billing.periods import Period


def overage_charge(
    *,
    feature_id: str,
    unit_plural: str,
    included: int,
    used: int,
    unit_price: int,
    currency: str,
    period: Period,
) -> BillingLine | None:
    """The charge for each unit used past `included` in `period`; None within it."""
    over = used - included
    if over <= 0:
        return None
    return BillingLine(
        key=f"overage:{feature_id}",
        description=f"{unit_plural[:1].upper()}{unit_plural[1:]} over the included {included:,}",
        kind="charge",
        amount=over * unit_price,
        currency=currency,
        quantity=over,
        unit_amount=unit_price,
        period_start=period.start,
        period_end=period.end,
    )
