"""Spend toward a spend limit, as pure rules: overage in the limit's currency (per unit, tiered
or by the package), auto-recharge counted for the current calendar month only, and the limit's
boundary (reaching it exactly is allowed, one minor unit past it is refused).

Every expected amount is hand arithmetic, worked out beside the assertion.
"""

from datetime import UTC, datetime
from typing import Any

import pytest

from billfold.catalog.terms import OveragePrice
from billfold.entitlements.models import MaterializedEntitlements, ResolvedEntitlement
from billfold.spending.cost import (
    Spend,
    extra_cost,
    limit_of,
    over_limit,
    overage_cost,
    spend,
)

NOW = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)
ANCHOR = datetime(2030, 1, 1, tzinfo=UTC)


def soft(
    feature_id: str,
    limit: int,
    *prices: dict[str, Any],
    enforcement: str = "soft",
) -> ResolvedEntitlement:
    return ResolvedEntitlement.model_validate(
        {
            "feature_id": feature_id,
            "feature_type": "metered",
            "limit": limit,
            "reset_period": "monthly",
            "reset_anchor": "subscription",
            "enforcement": enforcement,
            "overage_prices": [OveragePrice.model_validate(p) for p in prices],
        }
    )


def holding(*entries: ResolvedEntitlement) -> MaterializedEntitlements:
    return MaterializedEntitlements(
        customer_id="cus_1",
        subscription_status="active",
        subscription_anchor=ANCHOR,
        plan_id="pro",
        plan_version=1,
        entries={e.feature_id: e for e in entries},
        computed_at=ANCHOR,
    )


def usd(amount: int) -> dict[str, Any]:
    return {"currency": "USD", "amount": amount}


def limit_item(amount: int | None, currency: str = "USD") -> dict[str, Any]:
    return {"monthly_limit": amount, "currency": currency}


def recharged(month: str, spent: int) -> dict[str, Any]:
    return {"grants": [], "auto_recharge": {"month": month, "spent_this_month": spent}}


CALLS = soft("calls", 100, usd(4), {"currency": "EUR", "amount": 3})
"""100 calls included; each call past them 4 US cents, or 3 euro cents."""


# --- overage ----------------------------------------------------------------------------------


def test_overage_is_priced_in_the_currency_asked_for() -> None:
    entitlements = holding(CALLS)
    usage = {"calls": 150}  # 50 past the 100 included

    assert spend(entitlements, usage, {}, "USD", NOW) == Spend("USD", 200, 0)  # 50 x 4
    assert spend(entitlements, usage, {}, "EUR", NOW) == Spend("EUR", 150, 0)  # 50 x 3
    assert spend(entitlements, usage, {}, "GBP", NOW) == Spend("GBP", 0, 0)  # no GBP price


def test_usage_within_the_included_amount_costs_nothing() -> None:
    assert overage_cost(CALLS, "USD", 0) == 0
    assert overage_cost(CALLS, "USD", 100) == 0  # exactly the included 100
    assert overage_cost(CALLS, "USD", 101) == 4  # one past: one call at 4


def test_graduated_overage_is_priced_tier_by_tier() -> None:
    tiers = [{"upTo": 10, "unitAmount": 5}, {"unitAmount": 2, "flatAmount": 7}]
    images = soft("images", 10, {"currency": "USD", "model": "graduated", "tiers": tiers})

    # 35 used, 10 included: 25 over. Units 1-10 past the limit: 10 x 5 = 50;
    # units 11-25: 15 x 2 = 30 + 7 flat = 37. In all 87.
    assert overage_cost(images, "USD", 35) == 87
    # 15 used: 5 over, all in the first tier: 5 x 5 = 25
    assert overage_cost(images, "USD", 15) == 25


def test_package_overage_rounds_up_to_whole_packages() -> None:
    price = {"currency": "USD", "model": "package", "amount": 100, "packageSize": 1_000}
    tokens = soft("tokens", 1_000, price)

    assert overage_cost(tokens, "USD", 1_001) == 100  # 1 over: one package started
    assert overage_cost(tokens, "USD", 3_000) == 200  # 2,000 over: two packages
    assert overage_cost(tokens, "USD", 3_001) == 300  # 2,001 over: a third started


def test_a_hard_limit_or_a_feature_without_a_price_adds_no_overage() -> None:
    hard = soft("seats", 5, usd(1_000), enforcement="hard")
    unpriced = soft("exports", 10)
    entitlements = holding(CALLS, hard, unpriced)
    usage = {"calls": 101, "seats": 50, "exports": 10_000}

    # only calls: 1 over x 4
    assert spend(entitlements, usage, {}, "USD", NOW) == Spend("USD", 4, 0)


def test_overage_of_every_feature_adds_up() -> None:
    other = soft("images", 10, usd(25))
    entitlements = holding(CALLS, other)

    spent = spend(entitlements, {"calls": 110, "images": 12}, {}, "USD", NOW)

    # calls 10 over x 4 = 40; images 2 over x 25 = 50
    assert (spent.overage, spent.total) == (90, 90)


def test_extra_cost_is_what_more_units_add_to_the_overage() -> None:
    assert extra_cost(CALLS, "USD", 90, 10) == 0  # 90 + 10 = 100: still included
    assert extra_cost(CALLS, "USD", 90, 15) == 20  # 5 past 100 x 4
    assert extra_cost(CALLS, "USD", 120, 3) == 12  # all 3 past: 3 x 4


# --- auto-recharge ----------------------------------------------------------------------------


def test_auto_recharge_counts_only_for_the_current_calendar_month() -> None:
    wallets = {
        "ai": recharged("2030-01", 1_000),  # this month (NOW is January 15th, 2030)
        "img": recharged("2030-01", 500),
        "old": recharged("2029-12", 700),  # last month: not counted
        "never": {"grants": []},  # no auto-recharge
        "off": {"grants": [], "auto_recharge": None},
    }

    spent = spend(holding(CALLS), {"calls": 110}, wallets, "USD", NOW)

    # overage 10 x 4 = 40; auto-recharge 1,000 + 500 this month
    assert spent == Spend("USD", 40, 1_500)
    assert spent.total == 1_540


def test_a_recharge_in_december_stops_counting_on_january_first() -> None:
    wallets = {"ai": recharged("2029-12", 700)}
    new_year = datetime(2030, 1, 1, tzinfo=UTC)
    last_moment = datetime(2029, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)

    assert spend(holding(), {}, wallets, "USD", last_moment).auto_recharge == 700
    assert spend(holding(), {}, wallets, "USD", new_year).auto_recharge == 0


# --- the limit --------------------------------------------------------------------------------


def test_a_stored_limit_reads_as_amount_and_currency() -> None:
    assert limit_of(limit_item(500, "EUR")) == (500, "EUR")
    assert limit_of(limit_item(0)) == (0, "USD")
    assert limit_of(limit_item(None)) is None
    assert limit_of(None) is None
    assert limit_of({}) is None


@pytest.mark.parametrize(
    ("limit", "refused"),
    [
        (500, False),  # 200 spent + 75 x 4 = 500: exactly the limit
        (499, True),  # one minor unit less room: refused
    ],
    ids=["exactly-at-the-limit", "one-minor-unit-over"],
)
def test_reaching_the_limit_exactly_is_allowed_and_one_unit_past_it_is_refused(
    limit: int, refused: bool
) -> None:
    usage = {"calls": 150}  # 50 over x 4 = 200 spent already

    assert over_limit(holding(CALLS), usage, {}, limit_item(limit), "calls", 75, NOW) is refused


@pytest.mark.parametrize(("limit", "refused"), [(600, False), (599, True)])
def test_auto_recharge_this_month_counts_toward_the_limit(limit: int, refused: bool) -> None:
    usage = {"calls": 150}  # 200 of overage
    wallets = {"ai": recharged("2030-01", 100), "old": recharged("2029-12", 10_000)}

    # 200 + 100 recharged + 75 x 4 = 600 (December's 10,000 is not counted)
    assert over_limit(holding(CALLS), usage, wallets, limit_item(limit), "calls", 75, NOW) is (
        refused
    )


def test_the_limit_compares_in_its_own_currency() -> None:
    usage = {"calls": 150}  # EUR: 50 over x 3 = 150

    # EUR: 150 + 50 x 3 = 300, exactly; 51 more: 303
    assert not over_limit(holding(CALLS), usage, {}, limit_item(300, "EUR"), "calls", 50, NOW)
    assert over_limit(holding(CALLS), usage, {}, limit_item(300, "EUR"), "calls", 51, NOW)


def test_use_within_the_included_amount_is_never_refused_by_the_limit() -> None:
    usage = {"calls": 50}

    # a limit of 0: the 50 calls up to the included 100 cost nothing; the 51st costs 4
    assert not over_limit(holding(CALLS), usage, {}, limit_item(0), "calls", 50, NOW)
    assert over_limit(holding(CALLS), usage, {}, limit_item(0), "calls", 51, NOW)


def test_a_feature_without_an_overage_price_is_never_refused_by_the_limit() -> None:
    unpriced = soft("exports", 10)
    euro_only = soft("images", 10, {"currency": "EUR", "amount": 9})
    entitlements = holding(CALLS, unpriced, euro_only)
    usage = {"calls": 10_000, "exports": 10_000, "images": 10_000}  # calls: far past the limit
    limit = limit_item(0)

    assert not over_limit(entitlements, usage, {}, limit, "exports", 1_000_000, NOW)
    assert not over_limit(entitlements, usage, {}, limit, "images", 1_000_000, NOW)  # no USD
    assert over_limit(entitlements, usage, {}, limit, "calls", 1, NOW)


def test_without_a_limit_or_an_entitlement_nothing_is_refused() -> None:
    usage = {"calls": 10_000}

    assert not over_limit(holding(CALLS), usage, {}, None, "calls", 1_000, NOW)
    assert not over_limit(holding(CALLS), usage, {}, limit_item(None), "calls", 1_000, NOW)
    assert not over_limit(holding(CALLS), usage, {}, limit_item(0), "unknown", 1_000, NOW)
