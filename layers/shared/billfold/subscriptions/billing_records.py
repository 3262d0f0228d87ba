"""Billing records: what a subscription bills for a period, the narrow interface between
subscriptions and invoicing (the billing worker turns each record into one invoice)."""

import uuid
from datetime import datetime

from billfold.billing.lines import BillingLine
from billfold.subscriptions.discounts import take_discount
from billfold.subscriptions.models import (
    BillingReason,
    BillingRecord,
    Subscription,
)


def full_period_lines(subscription: Subscription) -> list[BillingLine]:
    """Charges for one whole period of everything held, in advance."""
    lines = [
        BillingLine(
            key=f"plan:{subscription.plan_id}",
            description=f"{subscription.plan_name} ({subscription.billing_period})",
            kind="charge",
            amount=subscription.price,
            currency=subscription.currency,
            quantity=1,
            unit_amount=subscription.price,
            period_start=subscription.current_period_start,
            period_end=subscription.current_period_end,
        )
    ]
    lines += [
        BillingLine(
            key=f"addon:{addon.addon_id}",
            description=f"{addon.quantity} \u00d7 {addon.name}",
            kind="charge",
            amount=addon.amount,
            currency=subscription.currency,
            quantity=addon.quantity,
            unit_amount=addon.unit_amount,
            tiers=addon.priced.tiers,
            period_start=subscription.current_period_start,
            period_end=subscription.current_period_end,
        )
        for addon in subscription.addons
    ]
    return [line for line in lines if line.amount]


def period_record(
    subscription: Subscription, reason: BillingReason, lines: list[BillingLine], at: datetime
) -> tuple[Subscription, BillingRecord]:
    """The billing record of a billed period, with the coupon's discount if it still applies,
    and the subscription with that period of its coupon used up."""
    subscription, discount = take_discount(subscription)
    record = BillingRecord(
        id=f"br_{uuid.uuid4().hex}",
        customer_id=subscription.customer_id,
        subscription_id=subscription.id,
        reason=reason,
        currency=subscription.currency,
        lines=lines,
        discount=discount,
        created_at=at,
    )
    return subscription, record
