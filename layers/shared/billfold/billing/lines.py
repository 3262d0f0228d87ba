"""What a billing record bills, line by line: the one shape of every charge and credit."""

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from pydantic import Field, StrictInt

from billfold.catalog.price_models import TierCharge
from billfold.models import ApiModel
from billfold.money import Currency

LineKind = Literal["credit", "charge"]


class BillingLine(ApiModel):
    """One line billed: a charge, or a credit (negative), for [periodStart, periodEnd): a
    change's proration, a whole period in advance, or overage in arrears."""

    key: str
    description: str
    kind: LineKind
    amount: StrictInt
    currency: Currency
    quantity: int
    unit_amount: int
    tiers: list[TierCharge] = Field(default_factory=list)
    """How tiers priced the quantity for a whole period (none for a per-unit price)."""
    period_start: datetime
    period_end: datetime


def net(lines: Iterable[BillingLine]) -> int:
    """The lines' total: charges minus credits, in minor units."""
    return sum(line.amount for line in lines)
