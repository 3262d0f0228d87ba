"""Overage, priced (billing/overage.py): each unit past the included amount, none within it."""

from datetime import UTC, datetime

import pytest

from billfold.billing.overage import overage_charge
from billfold.billing.periods import Period
from billfold.catalog.price_models import PriceModel, Tier, per_unit

MAY = Period(start=datetime(2030, 5, 1, tzinfo=UTC), end=datetime(2030, 6, 1, tzinfo=UTC))


def _charge(used: int, included: int = 1000, unit_price: int = 2, price: PriceModel | None = None):
    return overage_charge(
        feature_id="api-calls",
        unit_plural="API calls",
        included=included,
        used=used,
        price=price or per_unit(unit_price),
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


def test_tiers_price_the_units_past_the_limit_and_show_on_the_line() -> None:
    tiers = [Tier(up_to=100, unit_amount=5, flat_amount=200), Tier(unit_amount=3)]
    line = _charge(used=1150, price=PriceModel(model="graduated", tiers=tiers))

    assert line is not None
    # 150 over: 100 x 5 + 200 flat in tier 1, then 50 x 3 in tier 2
    assert (line.quantity, line.amount) == (150, 500 + 200 + 150)
    assert [(t.tier, t.quantity, t.amount) for t in line.tiers] == [(1, 100, 700), (2, 50, 150)]


def test_packages_round_the_units_past_the_limit_up() -> None:
    line = _charge(used=1001, price=PriceModel(model="package", amount=500, package_size=1000))

    assert line is not None
    assert (line.quantity, line.amount, line.tiers) == (1, 500, [])
