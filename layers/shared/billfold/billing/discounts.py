"""Coupon discounts as applied to one bill: a percentage or a fixed amount off its charges."""

from collections.abc import Iterable

from billfold.catalog.terms import Discount


def discount_amount(amounts: Iterable[int], discount: Discount) -> int:
    """What the discount takes off the positive `amounts` (never more than they add up to)."""
    charges = sum(amount for amount in amounts if amount > 0)
    if discount.percent_off is not None:
        if not 0 < discount.percent_off <= 100:
            raise ValueError("percent_off is between 1 and 100")
        return (2 * charges * discount.percent_off + 100) // 200
    if discount.amount_off is None or discount.amount_off < 0:
        raise ValueError("a discount has percent_off or a non-negative amount_off")
    return min(discount.amount_off, charges)
