"""Invoice arithmetic, pure: lines to totals, coupons to a discount line, credit balance in and out.

Every amount is an integer in minor units. A percentage discount is the exact share of the
discountable amount rounded once, half up; a fixed discount never exceeds it. Credits (negative
lines) are never discounted and a negative total is never charged: it becomes credit.
"""

from dataclasses import dataclass

from billfold.billing.discounts import discount_amount
from billfold.catalog.terms import Discount
from billfold.invoicing.models import InvoiceLine


@dataclass(frozen=True)
class Totals:
    """An invoice's money: see `billfold.invoicing.models.Invoice`."""

    subtotal: int
    discount: int
    total: int
    credit_applied: int
    credit_added: int
    amount_due: int


def discount_line(lines: list[InvoiceLine], discount: Discount) -> InvoiceLine | None:
    """The invoice line a discount adds (None when it takes nothing off)."""
    amount = discount_amount((line.amount for line in lines), discount)
    if amount == 0:
        return None
    terms = f"{discount.percent_off}% off" if discount.percent_off is not None else "amount off"
    return InvoiceLine(
        kind="discount",
        description=f"{discount.name} ({terms})",
        quantity=1,
        unit_amount=-amount,
        amount=-amount,
    )


def totals(lines: list[InvoiceLine], credit_balance: int) -> Totals:
    """The totals of `lines` (discount lines included) against the customer's credit balance."""
    if credit_balance < 0:
        raise ValueError("a credit balance is never negative")
    subtotal = sum(line.amount for line in lines if line.kind != "discount")
    discount = -sum(line.amount for line in lines if line.kind == "discount")
    total = subtotal - discount
    if total <= 0:
        return Totals(subtotal, discount, total, 0, -total, 0)
    applied = min(credit_balance, total)
    return Totals(subtotal, discount, total, applied, 0, total - applied)
