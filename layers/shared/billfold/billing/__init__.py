"""Billing: billing and usage periods, and proration of subscription changes."""

from billfold.billing.periods import (
    Period,
    add_billing_periods,
    billing_period_at,
    usage_period_at,
)
from billfold.billing.proration import (
    PricedItem,
    ProrationLine,
    net,
    prorate_change,
    prorated_amount,
    restart_cycle_change,
)

__all__ = [
    "Period",
    "PricedItem",
    "ProrationLine",
    "add_billing_periods",
    "billing_period_at",
    "net",
    "prorate_change",
    "prorated_amount",
    "restart_cycle_change",
    "usage_period_at",
]
