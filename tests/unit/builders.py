"""Documents the unit tests build: valid by default, each field overridable."""

from datetime import UTC, datetime
from typing import Any

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
