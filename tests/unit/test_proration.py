"""Proration: credit unused time, charge remaining time, to the second, rounded once half up.

Expected values come from hand arithmetic or from exact Fractions, never from the code under test.
"""

import math
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billfold.billing.lines import BillingLine, net
from billfold.billing.periods import Period
from billfold.billing.proration import (
    PricedItem,
    prorate_change,
    prorated_amount,
    restart_cycle_change,
)
from billfold.catalog.price_models import PriceModel, Tier
from billfold.errors import ErrorCode, RuleViolation

JAN = Period(start=datetime(2030, 1, 1, tzinfo=UTC), end=datetime(2030, 1, 31, tzinfo=UTC))
"""A 30-day period: 2,592,000 seconds."""
JAN_SECONDS = 30 * 86_400

AMOUNTS = st.integers(min_value=0, max_value=10**9)
QUANTITIES = st.integers(min_value=0, max_value=10**4)
SECONDS_INTO_JAN = st.integers(min_value=0, max_value=JAN_SECONDS)


def _at(seconds: int, microseconds: int = 0) -> datetime:
    return JAN.start + timedelta(seconds=seconds, microseconds=microseconds)


def _item(key: str, unit_amount: int, quantity: int = 1, description: str = "") -> PricedItem:
    return PricedItem(
        key=key, description=description or key, unit_amount=unit_amount, quantity=quantity
    )


def _half_up(value: Fraction) -> int:
    """Independent rounding for non-negative exact values: floor(value + 1/2)."""
    return math.floor(value + Fraction(1, 2))


@pytest.mark.parametrize(
    ("amount", "quantity", "elapsed", "expected"),
    [
        (3000, 1, 15 * 86_400, 1500),  # half the month left: half the price
        (1000, 1, 10 * 86_400, 667),  # 2/3 of 1000 = 666.67 -> 667
        (1000, 1, 20 * 86_400, 333),  # 1/3 of 1000 = 333.33 -> 333
        (1000, 3, 20 * 86_400, 1000),  # 1/3 of 3000, exactly
        (2999, 1, 0, 2999),  # from the start: the whole amount
        (2999, 1, JAN_SECONDS, 0),  # from the end: nothing
        (1, 1, JAN_SECONDS // 2, 1),  # exactly 0.5 -> 1 (half up)
        (3, 1, JAN_SECONDS // 2, 2),  # exactly 1.5 -> 2
        (5, 1, JAN_SECONDS // 2, 3),  # exactly 2.5 -> 3 (not banker's 2)
        (1, 1, JAN_SECONDS * 3 // 4, 0),  # 0.25 -> 0
        (3, 1, JAN_SECONDS // 4, 2),  # 2.25 -> 2
        (1, 7, JAN_SECONDS - 1, 0),  # 7 / 2,592,000 -> 0
        (0, 10, 86_400, 0),
        (10**9, 10**4, 86_400, 9_666_666_666_667),  # 29/30 of 10**13
    ],
)
def test_prorated_amount_table(amount: int, quantity: int, elapsed: int, expected: int) -> None:
    assert prorated_amount(amount, quantity, JAN, _at(elapsed)) == expected


def test_remaining_time_is_floored_to_whole_seconds() -> None:
    period = Period(
        start=datetime(2030, 1, 1, 0, 0, 0, 250_000, tzinfo=UTC),
        end=datetime(2030, 1, 1, 0, 0, 10, 250_000, tzinfo=UTC),
    )
    # 1.5 s in: 8.5 s remain, floored to 8 of 10 -> 8 of 10 minor units (9 if not floored).
    assert prorated_amount(10, 1, period, period.start + timedelta(seconds=1.5)) == 8
    # 9.999999 s in: 0.000001 s remain, floored to 0.
    assert prorated_amount(10**9, 1, period, period.end - timedelta(microseconds=1)) == 0


def test_ties_round_away_from_zero_for_credits_too() -> None:
    lines = prorate_change([_item("plan:a", 5)], [], JAN, _at(JAN_SECONDS // 2), "USD")

    assert [line.amount for line in lines] == [-3]  # -2.5 -> -3


@pytest.mark.parametrize(
    "moment",
    [JAN.start - timedelta(microseconds=1), JAN.end + timedelta(microseconds=1)],
    ids=["before-start", "after-end"],
)
def test_moment_outside_the_period_is_refused(moment: datetime) -> None:
    with pytest.raises(ValueError, match="outside the period"):
        prorated_amount(100, 1, JAN, moment)
    with pytest.raises(ValueError, match="outside the period"):
        prorate_change([_item("plan:a", 100)], [], JAN, moment, "USD")


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        prorated_amount(-1, 1, JAN, _at(0))
    with pytest.raises(ValueError, match="negative"):
        prorated_amount(1, -1, JAN, _at(0))
    with pytest.raises(ValueError, match="timezone-aware"):
        prorated_amount(1, 1, JAN, datetime(2030, 1, 2))
    with pytest.raises(ValueError, match="same key"):
        prorate_change([_item("plan:a", 1), _item("plan:a", 2)], [], JAN, _at(0), "USD")
    with pytest.raises(ValueError, match="ISO 4217"):
        prorate_change([], [_item("plan:a", 1)], JAN, _at(0), "usd")
    with pytest.raises(ValueError, match="ISO 4217"):
        restart_cycle_change([], [], JAN, _at(0), "annual", "XXX")


@settings(max_examples=200, deadline=None)
@given(amount=AMOUNTS, quantity=QUANTITIES, elapsed=SECONDS_INTO_JAN)
def test_prorated_amount_is_the_exact_share_rounded_once_half_up(
    amount: int, quantity: int, elapsed: int
) -> None:
    exact = Fraction(amount * quantity * (JAN_SECONDS - elapsed), JAN_SECONDS)

    result = prorated_amount(amount, quantity, JAN, _at(elapsed))

    assert type(result) is int
    assert result == _half_up(exact)
    assert abs(result - exact) <= Fraction(1, 2)
    assert 0 <= result <= amount * quantity


@settings(max_examples=200, deadline=None)
@given(
    amount=AMOUNTS,
    quantity=QUANTITIES,
    elapsed=SECONDS_INTO_JAN,
    microseconds=st.integers(0, 999_999),
)
def test_changing_to_the_same_price_nets_exactly_zero(
    amount: int, quantity: int, elapsed: int, microseconds: int
) -> None:
    moment = min(_at(elapsed, microseconds), JAN.end)
    old = [_item("plan:pro", amount, quantity, "Pro")]

    unchanged = prorate_change(
        old, [_item("plan:pro", amount, quantity, "Pro (renamed)")], JAN, moment, "USD"
    )
    # A different item at the very same price: a credit and a charge that cancel out.
    swapped = prorate_change(old, [_item("plan:pro-v2", amount, quantity)], JAN, moment, "USD")

    share = _half_up(
        Fraction(amount * quantity * int((JAN.end - moment).total_seconds()), JAN_SECONDS)
    )
    assert unchanged == []
    assert net(swapped) == 0
    assert [(line.kind, line.amount) for line in swapped] == (
        [("credit", -share), ("charge", share)] if share else []
    )


@settings(max_examples=200, deadline=None)
@given(amount=AMOUNTS, quantity=QUANTITIES, elapsed=SECONDS_INTO_JAN)
def test_unused_credit_plus_used_share_is_the_full_amount_within_one_rounding(
    amount: int, quantity: int, elapsed: int
) -> None:
    total = amount * quantity
    lines = prorate_change([_item("addon:seats", amount, quantity)], [], JAN, _at(elapsed), "EUR")
    credit = -net(lines)
    used = Fraction(total * elapsed, JAN_SECONDS)  # what the customer was due to pay for

    assert abs(credit + used - total) <= Fraction(1, 2)
    assert all(line.kind == "credit" and line.amount < 0 for line in lines)


@pytest.mark.parametrize(("amount", "quantity"), [(1, 1), (2999, 1), (1500, 7), (10**9, 10**4)])
def test_change_at_period_start_credits_everything_and_at_period_end_nothing(
    amount: int, quantity: int
) -> None:
    old, new = [_item("plan:a", amount, quantity)], [_item("plan:b", 1234)]

    at_start = prorate_change(old, new, JAN, JAN.start, "USD")
    at_end = prorate_change(old, new, JAN, JAN.end, "USD")

    assert [(line.kind, line.amount) for line in at_start] == [
        ("credit", -amount * quantity),
        ("charge", 1234),
    ]
    assert at_end == []


@settings(max_examples=200, deadline=None)
@given(
    basic=AMOUNTS,
    pro=AMOUNTS,
    seats=QUANTITIES,
    elapsed=SECONDS_INTO_JAN,
)
def test_upgrade_then_immediate_downgrade_nets_zero(
    basic: int, pro: int, seats: int, elapsed: int
) -> None:
    cheap = [_item("plan:basic", basic), _item("addon:seats", 700, seats)]
    dear = [_item("plan:pro", pro), _item("addon:seats", 700, seats + 1)]

    upgrade = prorate_change(cheap, dear, JAN, _at(elapsed), "USD")
    downgrade = prorate_change(dear, cheap, JAN, _at(elapsed), "USD")

    assert net(upgrade) + net(downgrade) == 0
    assert sorted(line.amount for line in upgrade) == sorted(-line.amount for line in downgrade)


CHANGES = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=JAN_SECONDS - 1),
        st.integers(min_value=0, max_value=10**6),  # the plan's unit amount
        st.integers(min_value=0, max_value=50),  # the add-on's quantity
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(first_plan=st.integers(0, 10**6), first_seats=st.integers(0, 50), changes=CHANGES)
def test_successive_changes_stay_within_half_a_unit_per_rounding_of_the_exact_value(
    first_plan: int, first_seats: int, changes: list[tuple[int, int, int]]
) -> None:
    seat_price = 1337

    def items(plan: int, seats: int) -> list[PricedItem]:
        return [_item("plan:p", plan), _item("addon:seats", seat_price, seats)]

    current = items(first_plan, first_seats)
    charged = first_plan + seat_price * first_seats  # billed in full at the period's start
    roundings = 0  # one per changed item and side; a share that rounds to 0 gives no line
    exact = Fraction(0)
    previous_second, previous_total = 0, charged
    for second, plan, seats in sorted(changes, key=lambda change: change[0]):
        lines = prorate_change(current, items(plan, seats), JAN, _at(second), "USD")
        charged += net(lines)
        changed = (plan != current[0].unit_amount) + (seats != current[1].quantity)
        assert len(lines) <= 2 * changed
        roundings += 2 * changed
        exact += Fraction(previous_total * (second - previous_second), JAN_SECONDS)
        current, previous_second, previous_total = (
            items(plan, seats),
            second,
            plan + seat_price * seats,
        )
    exact += Fraction(previous_total * (JAN_SECONDS - previous_second), JAN_SECONDS)

    assert type(charged) is int
    assert abs(charged - exact) <= Fraction(roundings, 2)


def test_add_on_quantity_change_prorates_only_the_add_on() -> None:
    halfway = _at(15 * 86_400)
    plan = _item("plan:pro", 4900, 1, "Pro")
    old = [plan, _item("addon:extra-seats", 1000, 2, "Extra seats")]
    new = [plan, _item("addon:extra-seats", 1000, 5, "Extra seats")]

    lines = prorate_change(old, new, JAN, halfway, "USD")

    assert [(line.kind, line.key, line.quantity, line.amount) for line in lines] == [
        ("credit", "addon:extra-seats", 2, -1000),
        ("charge", "addon:extra-seats", 5, 2500),
    ]
    assert [line.description for line in lines] == [
        "Unused time on 2 \N{MULTIPLICATION SIGN} Extra seats",
        "Remaining time on 5 \N{MULTIPLICATION SIGN} Extra seats",
    ]
    assert net(lines) == 1500
    assert all((line.period_start, line.period_end) == (halfway, JAN.end) for line in lines)


def test_added_and_removed_add_ons_and_deterministic_order() -> None:
    ten_days_in = _at(10 * 86_400)  # 20 of 30 days remain
    old = [
        _item("plan:basic", 900, 1, "Basic"),
        _item("addon:zeta", 300, 1, "Zeta"),
        _item("addon:alpha", 600, 1, "Alpha"),
    ]
    new = [
        _item("addon:beta", 1500, 1, "Beta"),
        _item("plan:pro", 3000, 1, "Pro"),
        _item("addon:alpha", 600, 1, "Alpha"),
    ]

    lines = prorate_change(old, new, JAN, ten_days_in, "USD")

    assert [(line.kind, line.key, line.amount) for line in lines] == [
        ("credit", "addon:zeta", -200),
        ("credit", "plan:basic", -600),
        ("charge", "addon:beta", 1000),
        ("charge", "plan:pro", 2000),
    ]
    assert net(lines) == 2200
    assert lines == prorate_change(
        list(reversed(old)), list(reversed(new)), JAN, ten_days_in, "USD"
    )


def test_lines_serialise_in_camel_case_with_signed_integer_amounts() -> None:
    lines = prorate_change([_item("plan:a", 100)], [_item("plan:b", 200)], JAN, _at(0), "JPY")

    dumped = [line.model_dump(mode="json", by_alias=True) for line in lines]

    assert dumped[0] == {
        "key": "plan:a",
        "description": "Unused time on plan:a",
        "kind": "credit",
        "amount": -100,
        "currency": "JPY",
        "quantity": 1,
        "unitAmount": 100,
        "tiers": [],
        "periodStart": "2030-01-01T00:00:00Z",
        "periodEnd": "2030-01-31T00:00:00Z",
    }
    assert BillingLine.model_validate(dumped[1]) == lines[1]


@settings(max_examples=100, deadline=None)
@given(
    amount=st.integers(10**8, 10**9), quantity=st.integers(10**3, 10**4), elapsed=SECONDS_INTO_JAN
)
def test_huge_amounts_keep_every_minor_unit(amount: int, quantity: int, elapsed: int) -> None:
    lines = prorate_change([_item("plan:big", amount, quantity)], [], JAN, _at(elapsed), "KWD")
    # amount x quantity x seconds reaches ~2.6e19, far past a float's exact 2**53.
    exact = Fraction(amount * quantity * (JAN_SECONDS - elapsed), JAN_SECONDS)

    assert -net(lines) == _half_up(exact)
    assert all(type(line.amount) is int for line in lines)


def test_monthly_to_annual_restarts_the_cycle() -> None:
    month = Period(start=datetime(2030, 1, 1, tzinfo=UTC), end=datetime(2030, 2, 1, tzinfo=UTC))
    change_at = datetime(2030, 1, 11, tzinfo=UTC)  # 21 of 31 days unused
    old = [_item("plan:pro", 3100, 1, "Pro monthly"), _item("addon:seats", 500, 3, "Seats")]
    new = [_item("plan:pro", 30000, 1, "Pro annual"), _item("addon:seats", 5000, 3, "Seats")]

    lines, new_period = restart_cycle_change(old, new, month, change_at, "annual", "USD")

    assert new_period == Period(start=change_at, end=datetime(2031, 1, 11, tzinfo=UTC))
    assert [(line.kind, line.key, line.amount) for line in lines] == [
        ("credit", "addon:seats", -1016),  # 1500 x 21/31 = 1016.13
        ("credit", "plan:pro", -2100),  # 3100 x 21/31
        ("charge", "addon:seats", 15000),  # the whole year, 3 x 5000
        ("charge", "plan:pro", 30000),
    ]
    assert net(lines) == 30000 + 15000 - 2100 - 1016
    credits, charges = lines[:2], lines[2:]
    assert all(line.period_end == month.end for line in credits)
    assert all(line.period_end == new_period.end for line in charges)
    assert all(line.period_start == change_at for line in lines)


def test_restart_credits_even_unchanged_items_and_at_period_end_credits_nothing() -> None:
    same = [_item("plan:pro", 3000)]

    lines, new_period = restart_cycle_change(same, same, JAN, _at(20 * 86_400), "monthly", "USD")
    at_end, _ = restart_cycle_change(same, same, JAN, JAN.end, "annual", "USD")

    assert [(line.kind, line.amount) for line in lines] == [("credit", -1000), ("charge", 3000)]
    assert new_period.end == datetime(2030, 2, 21, tzinfo=UTC)
    assert [(line.kind, line.amount) for line in at_end] == [("charge", 3000)]


@pytest.mark.parametrize(
    "moment", [JAN.start - timedelta(seconds=1), JAN.end + timedelta(seconds=1)]
)
def test_restart_outside_the_old_period_is_refused(moment: datetime) -> None:
    with pytest.raises(ValueError, match="outside the period"):
        restart_cycle_change([], [_item("plan:a", 1)], JAN, moment, "annual", "USD")


SEATS_GRADUATED = PriceModel(
    model="graduated", tiers=[Tier(up_to=5, unit_amount=1000), Tier(unit_amount=600)]
)
SEATS_VOLUME = PriceModel(
    model="volume", tiers=[Tier(up_to=10, unit_amount=1000), Tier(unit_amount=800)]
)


def _seats(quantity: int, price: PriceModel) -> PricedItem:
    return PricedItem(
        key="addon:seats", description="Seats", unit_amount=0, quantity=quantity, price_model=price
    )


def test_a_tiered_quantity_credits_the_old_amount_and_charges_the_new_one() -> None:
    # 5 seats cost 5 x 1000 = 5000; 8 seats 5000 + 3 x 600 = 6800. A third of Jan is left.
    lines = prorate_change(
        [_seats(5, SEATS_GRADUATED)], [_seats(8, SEATS_GRADUATED)], JAN, _at(20 * 86_400), "USD"
    )

    assert [(line.kind, line.amount) for line in lines] == [("credit", -1667), ("charge", 2267)]
    assert [(t.tier, t.quantity, t.amount) for t in lines[1].tiers] == [(1, 5, 5000), (2, 3, 1800)]


def test_a_package_change_within_the_same_package_bills_nothing() -> None:
    packs = PriceModel(model="package", amount=5000, package_size=10)
    before = PricedItem(key="addon:packs", description="Packs", unit_amount=5000, quantity=3)
    change = prorate_change(
        [before.model_copy(update={"price_model": packs})],
        [before.model_copy(update={"price_model": packs, "quantity": 9})],
        JAN,
        _at(0),
        "USD",
    )

    assert net(change) == 0


@pytest.mark.parametrize(("was", "now"), [(11, 10), (10, 11)])
def test_a_volume_change_whose_price_moves_against_its_quantity_is_refused(
    was: int, now: int
) -> None:
    # 10 seats cost 10 x 1000 = 10000; 11 seats 11 x 800 = 8800: fewer units, more money.
    with pytest.raises(RuleViolation) as refused:
        prorate_change([_seats(was, SEATS_VOLUME)], [_seats(now, SEATS_VOLUME)], JAN, _at(0), "USD")

    assert refused.value.code == ErrorCode.PRORATION_REFUSED
    assert refused.value.field == "addons"


def test_a_volume_change_that_moves_with_its_quantity_is_prorated() -> None:
    lines = prorate_change(
        [_seats(12, SEATS_VOLUME)], [_seats(14, SEATS_VOLUME)], JAN, _at(15 * 86_400), "USD"
    )

    # 12 x 800 = 9600 credited for half the month, 14 x 800 = 11200 charged for it
    assert [(line.kind, line.amount) for line in lines] == [("credit", -4800), ("charge", 5600)]
