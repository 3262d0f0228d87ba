"""A subscription's coupon: how long it lasts, and taking it for one billed period."""

from billfold.catalog.coupons import Coupon
from billfold.catalog.terms import BillingPeriod, Discount
from billfold.subscriptions.models import AppliedCoupon, Subscription


def applied_coupon(
    coupon: Coupon, period: BillingPeriod, promotion_code: str | None = None
) -> AppliedCoupon:
    """The coupon on a subscription billed per `period`: once covers one billed period,
    repeating covers the periods that start within its months, forever has no end."""
    periods: int | None = None
    if coupon.duration == "once":
        periods = 1
    elif coupon.duration == "repeating" and coupon.duration_in_months is not None:
        months = coupon.duration_in_months
        periods = months if period == "monthly" else -(-months // 12)
    return AppliedCoupon(
        discount=coupon.discount(),
        duration=coupon.duration,
        periods_left=periods,
        promotion_code=promotion_code,
    )


def take_discount(subscription: Subscription) -> tuple[Subscription, Discount | None]:
    """The discount for the period being billed, and the subscription with one period of its
    coupon used up (the coupon is gone once none is left)."""
    coupon = subscription.coupon
    if coupon is None:
        return subscription, None
    if coupon.periods_left is None:
        return subscription, coupon.discount
    left = coupon.periods_left - 1
    remaining = coupon.model_copy(update={"periods_left": left}) if left > 0 else None
    return subscription.model_copy(update={"coupon": remaining}), coupon.discount
