"""Documents the unit tests build: valid by default, each field overridable."""

from datetime import UTC, datetime
from typing import Any

from billfold.invoicing.models import Invoice
from billfold.subscriptions.models import Subscription

NOW = datetime(2030, 1, 15, 12, 0, 0, tzinfo=UTC)
PERIOD_START = datetime(2030, 1, 1, tzinfo=UTC)
PERIOD_END = datetime(2030, 2, 1, tzinfo=UTC)


def subscription(**overrides: Any) -> Subscription:
    """An active monthly Pro subscription in its January 2030 period, with `overrides`."""
    fields: dict[str, Any] = {
        "id": "sub_1",
        "customer_id": "acme",
        "status": "active",
        "plan_id": "pro",
        "plan_version": 1,
        "plan_name": "Pro",
        "billing_period": "monthly",
        "currency": "USD",
        "price": 1900,
        "addons": [],
        "billing_anchor": PERIOD_START,
        "usage_anchor": PERIOD_START,
        "current_period_start": PERIOD_START,
        "current_period_end": PERIOD_END,
        "created_at": PERIOD_START,
        "updated_at": PERIOD_START,
    }
    return Subscription.model_validate({**fields, **overrides})


def invoice(**overrides: Any) -> Invoice:
    """An open $19.00 renewal invoice of one Pro line, issued mid-January 2030, with
    `overrides`."""
    fields: dict[str, Any] = {
        "id": "in_1",
        "number": "ACME-0042",
        "customer_id": "acme",
        "subscription_id": "sub_1",
        "billing_record_id": "br_1",
        "reason": "renewal",
        "status": "open",
        "currency": "USD",
        "seller": {"name": "Acme", "email": "billing@acme.test"},
        "customer": {"name": "Eve Example", "email": "eve@example.test"},
        "lines": [
            {
                "kind": "charge",
                "description": "Pro (monthly)",
                "quantity": 1,
                "unit_amount": 1900,
                "amount": 1900,
            }
        ],
        "subtotal": 1900,
        "discount": 0,
        "total": 1900,
        "credit_applied": 0,
        "credit_added": 0,
        "amount_due": 1900,
        "amount_paid": 0,
        "created_at": NOW,
    }
    return Invoice.model_validate({**fields, **overrides})
