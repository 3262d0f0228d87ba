"""Billing and usage periods: Stripe-like calendar arithmetic, clamped to the month's end."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billfold.billing.periods import (
    Period,
    add_billing_periods,
    billing_period_at,
    usage_period_at,
)
from billfold.catalog.models import BillingPeriod, ResetAnchor, ResetPeriod

MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2080, 12, 31), timezones=st.just(UTC)
)
OFFSETS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=366 * 15))
BILLING_PERIODS: list[BillingPeriod] = ["monthly", "annual"]
RESET_PERIODS: list[ResetPeriod] = ["daily", "weekly", "monthly", "yearly"]
RESET_ANCHORS: list[ResetAnchor] = ["subscription", "calendar"]


def _utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=UTC)


def _last_day(year: int, month: int) -> int:
    """The month's last day, by stepping back a day from the next month's first."""
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


JAN_31_MONTHLY = [
    (2030, 1, 31),
    (2030, 2, 28),
    (2030, 3, 31),
    (2030, 4, 30),
    (2030, 5, 31),
    (2030, 6, 30),
    (2030, 7, 31),
    (2030, 8, 31),
    (2030, 9, 30),
    (2030, 10, 31),
    (2030, 11, 30),
    (2030, 12, 31),
    (2031, 1, 31),
]


@pytest.mark.parametrize(("count", "expected"), list(enumerate(JAN_31_MONTHLY)))
def test_jan_31_anchor_clamps_to_each_months_end_and_comes_back(
    count: int, expected: tuple[int, int, int]
) -> None:
    anchor = _utc(2030, 1, 31, 13, 45, 7, 123456)

    boundary = add_billing_periods(anchor, "monthly", count)

    assert boundary == _utc(*expected, 13, 45, 7, 123456)


@pytest.mark.parametrize(
    ("anchor", "count", "expected"),
    [
        ((2028, 1, 31), 1, (2028, 2, 29)),  # leap year: February has a 29th
        ((2028, 1, 30), 1, (2028, 2, 29)),
        ((2030, 1, 30), 1, (2030, 2, 28)),
        ((2030, 1, 30), 2, (2030, 3, 30)),  # back to the 30th, not stuck at the 28th
        ((2030, 2, 28), 1, (2030, 3, 28)),  # a 28th anchor never moves to the month's end
        ((2030, 8, 31), 1, (2030, 9, 30)),
        ((2030, 8, 31), 2, (2030, 10, 31)),
        ((2030, 12, 15), 1, (2031, 1, 15)),  # across the year end
        ((2030, 3, 31), 11, (2031, 2, 28)),
        ((2031, 3, 31), 11, (2032, 2, 29)),
    ],
)
def test_monthly_boundaries_clamp_table(
    anchor: tuple[int, int, int], count: int, expected: tuple[int, int, int]
) -> None:
    assert add_billing_periods(_utc(*anchor, 9), "monthly", count) == _utc(*expected, 9)


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, (2028, 2, 29)),
        (1, (2029, 2, 28)),
        (2, (2030, 2, 28)),
        (3, (2031, 2, 28)),
        (4, (2032, 2, 29)),
        (8, (2036, 2, 29)),
        (72, (2100, 2, 28)),  # 2100 is not a leap year
    ],
)
def test_feb_29_annual_anchor(count: int, expected: tuple[int, int, int]) -> None:
    assert add_billing_periods(_utc(2028, 2, 29, 23, 59, 59), "annual", count) == _utc(
        *expected, 23, 59, 59
    )


def test_no_drift_over_120_months_from_a_31st() -> None:
    anchor = _utc(2030, 1, 31, 10)
    chained = anchor

    for count in range(121):
        boundary = add_billing_periods(anchor, "monthly", count)
        year, month = 2030 + count // 12, count % 12 + 1
        assert boundary == _utc(year, month, _last_day(year, month), 10)
        if count:  # chaining one month at a time would drift to the 28th after February
            chained = add_billing_periods(chained, "monthly", 1)
    assert chained.day == 28
    assert add_billing_periods(anchor, "monthly", 120) == _utc(2040, 1, 31, 10)


@settings(max_examples=150, deadline=None)
@given(anchor=MOMENTS, count=st.integers(min_value=0, max_value=240))
def test_monthly_boundary_keeps_day_clamped_and_time_of_day(anchor: datetime, count: int) -> None:
    boundary = add_billing_periods(anchor, "monthly", count)

    months = anchor.year * 12 + anchor.month - 1 + count
    assert (boundary.year, boundary.month) == (months // 12, months % 12 + 1)
    assert boundary.day == min(anchor.day, _last_day(boundary.year, boundary.month))
    assert boundary.time() == anchor.time()
    assert boundary.tzinfo == UTC
    if count % 12 == 0:
        assert boundary == add_billing_periods(anchor, "annual", count // 12)


def test_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_billing_periods(_utc(2030, 1, 1), "monthly", -1)


def test_aware_non_utc_anchor_is_computed_in_utc() -> None:
    # 01:00 at +02:00 on Jan 31 is 23:00 UTC on Jan 30: the anchor day is the 30th.
    anchor = datetime(2030, 1, 31, 1, tzinfo=timezone(timedelta(hours=2)))

    assert add_billing_periods(anchor, "monthly", 2) == _utc(2030, 3, 30, 23)
    assert add_billing_periods(anchor, "monthly", 0).tzinfo == UTC


def test_billing_period_at_table() -> None:
    anchor = _utc(2030, 1, 31, 12)

    assert billing_period_at(anchor, "monthly", anchor) == Period(
        start=anchor, end=_utc(2030, 2, 28, 12)
    )
    assert billing_period_at(anchor, "monthly", _utc(2030, 2, 28, 11, 59, 59)).start == anchor
    assert billing_period_at(anchor, "monthly", _utc(2030, 2, 28, 12)) == Period(
        start=_utc(2030, 2, 28, 12), end=_utc(2030, 3, 31, 12)
    )
    assert billing_period_at(anchor, "monthly", _utc(2030, 3, 1)).end == _utc(2030, 3, 31, 12)
    assert billing_period_at(anchor, "annual", _utc(2032, 1, 31, 11)) == Period(
        start=_utc(2031, 1, 31, 12), end=_utc(2032, 1, 31, 12)
    )
    # Anchored on the 31st, a moment on Mar 30 is still in the period that started Feb 28.
    assert billing_period_at(anchor, "monthly", _utc(2030, 3, 30)).start == _utc(2030, 2, 28, 12)


def test_billing_period_seconds() -> None:
    period = billing_period_at(_utc(2030, 1, 1), "monthly", _utc(2030, 1, 20))

    assert period.seconds == 31 * 86_400
    assert billing_period_at(_utc(2028, 1, 1), "annual", _utc(2028, 6, 1)).seconds == 366 * 86_400


@settings(max_examples=200, deadline=None)
@given(anchor=MOMENTS, offset=OFFSETS, kind=st.sampled_from(BILLING_PERIODS))
def test_billing_period_contains_the_moment_and_periods_are_contiguous(
    anchor: datetime, offset: timedelta, kind: BillingPeriod
) -> None:
    at = anchor + offset

    period = billing_period_at(anchor, kind, at)

    assert period.start <= at < period.end
    assert anchor <= period.start
    assert billing_period_at(anchor, kind, period.end).start == period.end
    assert billing_period_at(anchor, kind, period.start) == period
    if period.start > anchor:
        earlier = billing_period_at(anchor, kind, period.start - timedelta(microseconds=1))
        assert earlier.end == period.start
    days = (period.end - period.start).days
    assert days in ({28, 29, 30, 31} if kind == "monthly" else {365, 366})
    assert period.start.time() == anchor.time()


@pytest.mark.parametrize("kind", BILLING_PERIODS)
def test_walking_periods_matches_the_boundaries(kind: BillingPeriod) -> None:
    anchor = _utc(2031, 8, 31, 6, 30)
    moment = anchor

    for count in range(1, 30):
        period = billing_period_at(anchor, kind, moment)
        assert period.end == add_billing_periods(anchor, kind, count)
        moment = period.end


def test_moment_before_the_anchor_is_refused() -> None:
    with pytest.raises(ValueError, match="before"):
        billing_period_at(_utc(2030, 1, 1), "monthly", _utc(2029, 12, 31, 23, 59, 59))


def test_naive_datetimes_are_refused() -> None:
    naive, aware = datetime(2030, 1, 1), _utc(2030, 1, 1)

    with pytest.raises(ValueError, match="timezone-aware"):
        add_billing_periods(naive, "monthly", 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        billing_period_at(naive, "monthly", aware)
    with pytest.raises(ValueError, match="timezone-aware"):
        billing_period_at(aware, "monthly", naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        usage_period_at("daily", "calendar", naive, aware)
    with pytest.raises(ValueError, match="timezone-aware"):
        usage_period_at("daily", "subscription", aware, naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        Period(start=naive, end=aware + timedelta(days=1))


def test_period_needs_at_least_a_second() -> None:
    start = _utc(2030, 1, 1)

    with pytest.raises(ValueError, match="one second"):
        Period(start=start, end=start)
    with pytest.raises(ValueError, match="one second"):
        Period(start=start, end=start + timedelta(microseconds=999_999))
    with pytest.raises(ValueError, match="one second"):
        Period(start=start, end=start - timedelta(days=1))
    assert Period(start=start, end=start + timedelta(seconds=1, microseconds=900_000)).seconds == 1


# The subscription started Thursday 2030-01-31 10:30 UTC; the moment is Tuesday 2030-03-05 08:00.
SUBSCRIBED = _utc(2030, 1, 31, 10, 30)
MOMENT = _utc(2030, 3, 5, 8)


@pytest.mark.parametrize(
    ("reset_period", "reset_anchor", "start", "end"),
    [
        ("daily", "subscription", (2030, 3, 4, 10, 30), (2030, 3, 5, 10, 30)),
        ("weekly", "subscription", (2030, 2, 28, 10, 30), (2030, 3, 7, 10, 30)),
        ("monthly", "subscription", (2030, 2, 28, 10, 30), (2030, 3, 31, 10, 30)),
        ("yearly", "subscription", (2030, 1, 31, 10, 30), (2031, 1, 31, 10, 30)),
        ("daily", "calendar", (2030, 3, 5), (2030, 3, 6)),
        ("weekly", "calendar", (2030, 3, 4), (2030, 3, 11)),
        ("monthly", "calendar", (2030, 3, 1), (2030, 4, 1)),
        ("yearly", "calendar", (2030, 1, 1), (2031, 1, 1)),
    ],
)
def test_usage_period_table(
    reset_period: ResetPeriod,
    reset_anchor: ResetAnchor,
    start: tuple[int, ...],
    end: tuple[int, ...],
) -> None:
    period = usage_period_at(reset_period, reset_anchor, SUBSCRIBED, MOMENT)

    assert period == Period(start=_utc(*start), end=_utc(*end))


@pytest.mark.parametrize("reset_anchor", RESET_ANCHORS)
def test_never_resets_is_one_counter_forever(reset_anchor: ResetAnchor) -> None:
    assert usage_period_at("never", reset_anchor, SUBSCRIBED, MOMENT) is None


@pytest.mark.parametrize(
    ("at", "monday"),
    [
        (_utc(2030, 1, 1, 12), _utc(2029, 12, 31)),  # ISO week crosses the year end
        (_utc(2030, 3, 10, 23, 59, 59), _utc(2030, 3, 4)),  # Sunday is the week's last day
        (_utc(2030, 3, 11), _utc(2030, 3, 11)),  # Monday midnight starts a new week
    ],
)
def test_calendar_week_starts_monday_midnight_utc(at: datetime, monday: datetime) -> None:
    period = usage_period_at("weekly", "calendar", SUBSCRIBED, at)

    assert period is not None
    assert period.start == monday
    assert period.start.weekday() == 0
    assert period.seconds == 7 * 86_400


def test_calendar_month_and_year_cross_the_year_end() -> None:
    at = _utc(2030, 12, 31, 23, 59, 59)

    month = usage_period_at("monthly", "calendar", SUBSCRIBED, at)
    year = usage_period_at("yearly", "calendar", SUBSCRIBED, at)

    assert month == Period(start=_utc(2030, 12, 1), end=_utc(2031, 1, 1))
    assert year == Period(start=_utc(2030, 1, 1), end=_utc(2031, 1, 1))


def test_calendar_windows_do_not_need_the_subscription_to_have_started() -> None:
    assert usage_period_at("daily", "calendar", SUBSCRIBED, _utc(2029, 6, 1, 5)) == Period(
        start=_utc(2029, 6, 1), end=_utc(2029, 6, 2)
    )
    with pytest.raises(ValueError, match="before"):
        usage_period_at("daily", "subscription", SUBSCRIBED, _utc(2029, 6, 1, 5))


@settings(max_examples=200, deadline=None)
@given(
    anchor=MOMENTS,
    offset=OFFSETS,
    reset_period=st.sampled_from(RESET_PERIODS),
    reset_anchor=st.sampled_from(RESET_ANCHORS),
)
def test_usage_periods_contain_the_moment_and_are_contiguous(
    anchor: datetime,
    offset: timedelta,
    reset_period: ResetPeriod,
    reset_anchor: ResetAnchor,
) -> None:
    at = anchor + offset

    period = usage_period_at(reset_period, reset_anchor, anchor, at)

    assert period is not None
    assert period.start <= at < period.end
    following = usage_period_at(reset_period, reset_anchor, anchor, period.end)
    assert following is not None
    assert following.start == period.end
    if reset_anchor == "calendar":
        assert period.start.time() == datetime.min.time()
        if reset_period == "weekly":
            assert period.start.weekday() == 0
        if reset_period in {"monthly", "yearly"}:
            assert period.start.day == 1
        if reset_period == "yearly":
            assert period.start.month == 1
    else:
        assert period.start.time() == anchor.time()
        fixed = {"daily": 86_400, "weekly": 7 * 86_400}.get(reset_period)
        if fixed is not None:
            assert period.seconds == fixed
            assert (period.start - anchor) % timedelta(seconds=fixed) == timedelta(0)
        else:
            kind: BillingPeriod = "monthly" if reset_period == "monthly" else "annual"
            assert period == billing_period_at(anchor, kind, at)
