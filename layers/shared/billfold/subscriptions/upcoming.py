"""What a subscription's next invoice will ask for, as that invoice will compute it: the full
period (or the scheduled change's), less the coupon's discount if it still applies, less the
customer's credit balance. Pure: the caller reads the balance."""

from billfold.billing.discounts import discount_amount
from billfold.subscriptions.models import NextInvoice, Subscription


def credit_left(balance: int, billed_now: int) -> int:
    """The balance once an invoice of net `billed_now` is issued: a charge draws on it first,
    a credit (negative) adds to it."""
    if billed_now < 0:
        return balance - billed_now
    return balance - min(balance, billed_now)


def upcoming_invoice(subscription: Subscription, credit: int) -> NextInvoice | None:
    """The next invoice of `subscription` with `credit` to draw on (None once it is canceled
    or cancelling: nothing more is billed)."""
    if subscription.status == "canceled" or subscription.cancel_at_period_end:
        return None
    change = subscription.scheduled_change
    subtotal = change.period_total if change else subscription.period_total
    date = change.effective_at if change else subscription.trial_end
    coupon = subscription.coupon
    discount = discount_amount([subtotal], coupon.discount) if coupon else 0
    total = subtotal - discount
    applied = min(credit, total)
    return NextInvoice(
        amount=total - applied,
        subtotal=subtotal,
        discount=discount,
        credit_applied=applied,
        currency=subscription.currency,
        date=date or subscription.current_period_end,
    )
