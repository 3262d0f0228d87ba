"""The injectable clock and the one timestamp format."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from billfold.clock import FixedClock, OffsetClock, isoformat
from tests.unit.factories import NOW


def test_fixed_clock_stands_still_until_advanced() -> None:
    clock = FixedClock(NOW)

    assert clock.now() == NOW
    assert clock.now() == NOW
    assert clock.advance(timedelta(days=31)) == NOW + timedelta(days=31)
    assert clock.now() == NOW + timedelta(days=31)


def test_fixed_clock_converts_to_utc_and_refuses_naive_times() -> None:
    plus_two = datetime(2030, 1, 15, 14, 0, tzinfo=timezone(timedelta(hours=2)))

    assert FixedClock(plus_two).now().tzinfo == UTC
    assert FixedClock(plus_two).now() == NOW
    with pytest.raises(ValueError, match="timezone-aware"):
        FixedClock(datetime(2030, 1, 15))


def test_offset_clock_moves_forward_only() -> None:
    clock = OffsetClock()
    before = clock.now()

    moved = clock.advance(timedelta(days=10))

    assert moved - before >= timedelta(days=10)
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(timedelta(seconds=-1))


def test_isoformat_is_utc_with_a_z_to_the_second() -> None:
    moment = datetime(2030, 1, 15, 14, 0, 5, 999_999, tzinfo=timezone(timedelta(hours=2)))

    assert isoformat(moment) == "2030-01-15T12:00:05Z"
