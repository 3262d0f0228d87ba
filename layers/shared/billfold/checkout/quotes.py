"""What a checkout charges: the subscription it would start, priced without writing anything."""

from datetime import datetime

from billfold.billing.discounts import discount_amount
from billfold.billing.periods import billing_period_at
from billfold.checkout.models import CheckoutQuote, CheckoutSession
from billfold.errors import ErrorCode, Forbidden
from billfold.storage.table import Table
from billfold.subscriptions.billing_records import full_period_lines
from billfold.subscriptions.creation import Order, new_subscription
from billfold.subscriptions.discounts import take_discount
from billfold.subscriptions.models import Subscription, SubscriptionCreate


def subscription_order(session: CheckoutSession, promotion_code: str | None) -> SubscriptionCreate:
    """The create request a session makes, with the visitor's promotion code if the seller
    allows codes, and that one (403 `promotion_codes_not_allowed` otherwise)."""
    allowed = session.allowed_promotion_codes
    if promotion_code is not None and not session.allow_promotion_codes:
        raise Forbidden(
            "this checkout does not take promotion codes",
            field="promotionCode",
            code=ErrorCode.PROMOTION_CODES_NOT_ALLOWED,
        )
    if promotion_code is not None and allowed and promotion_code.upper() not in allowed:
        raise Forbidden(
            "this checkout does not take that promotion code",
            field="promotionCode",
            code=ErrorCode.PROMOTION_CODES_NOT_ALLOWED,
        )
    return SubscriptionCreate(
        plan_id=session.plan_id,
        billing_period=session.billing_period,
        currency=session.currency,
        addons=session.addons,
        trial_days=session.trial_days,
        promotion_code=promotion_code,
    )


def _after_trial(subscription: Subscription, trial_end: datetime) -> Subscription:
    """The subscription in its first paid period."""
    period = billing_period_at(trial_end, subscription.billing_period, trial_end)
    return subscription.model_copy(
        update={"current_period_start": period.start, "current_period_end": period.end}
    )


def priced_order(made: Order, now: datetime) -> CheckoutQuote:
    """The quote of an order: its first charge, today or when its trial ends."""
    subscription, trial_end = made.subscription, made.subscription.trial_end
    if made.record is not None:
        lines, discount = made.record.lines, made.record.discount
    else:
        after_trial = _after_trial(subscription, trial_end or now)
        lines = full_period_lines(after_trial)
        discount = take_discount(after_trial)[1]
    amounts = [line.amount for line in lines]
    subtotal = sum(amounts)
    off = discount_amount(amounts, discount) if discount else 0
    forever = made.redeemed is not None and made.redeemed.coupon.duration == "forever"
    return CheckoutQuote(
        currency=subscription.currency,
        billing_period=subscription.billing_period,
        lines=lines,
        subtotal=subtotal,
        discount=off,
        total=subtotal - off,
        due_today=0 if trial_end else subtotal - off,
        needs_payment_method=subtotal - (off if forever else 0) > 0,
        trial_days=(trial_end - now).days if trial_end else 0,
        trial_end=trial_end,
        first_charge_at=trial_end or now,
        promotion_code=made.redeemed.code if made.redeemed else None,
        coupon_name=made.redeemed.coupon.name if made.redeemed else None,
    )


def quote_checkout(
    table: Table, session: CheckoutSession, promotion_code: str | None, now: datetime
) -> CheckoutQuote:
    """What completing the session now would charge, with `promotion_code` if given (its
    4xx names `promotionCode` when the code cannot be used)."""
    order = subscription_order(session, promotion_code)
    made = new_subscription(table, session.customer_id, order, now)
    return priced_order(made, now)
