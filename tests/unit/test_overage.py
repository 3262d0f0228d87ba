"""Overage, priced (billing/overage.py): each unit past the included amount, none within it."""

from datetime import UTC, datetime

import pytest

from billfold.billing.overage import overage_charge
from billfold.billing.periods import Period

MAY = Period(start=datetime(2030, 5, 1, tzinfo=UTC), end=datetime(2030, 6, 1, tzinfo=UTC))


def _charge(used: int, included: int = 1000, unit_price: int = 2):
    return overage_charge(
        feature_id="api-calls",
        unit_plural="API calls",
        included=included,
        used=used,
        unit_price=unit_price,
        currency="USD",
        period=MAY,
    )


@pytest.mark.parametrize("used", [0, 999, 1000])
def test_usage_within_what_is_included_costs_nothing(used: int) -> None:
    assert _charge(used) is None


def test_each_unit_past_the_included_amount_is_charged_at_its_price() -> None:
    line = _charge(used=1234, unit_price=3)

    assert line is not None
    assert (line.quantity, line.unit_amount, line.amount) == (234, 3, 702)
    assert (line.kind, line.key, line.currency) == ("charge", "overage:api-calls", "USD")
    assert (line.period_start, line.period_end) == (MAY.start, MAY.end)
    assert line.description == "API calls over the included 1,000"
