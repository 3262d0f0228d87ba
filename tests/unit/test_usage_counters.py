"""Usage counters without a server: periods, the writes a report plans, refusals and retries."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from billfold import retries
from billfold.billing.periods import Period
from billfold.errors import Conflict, InvalidInput, RuleViolation
from billfold.storage import keys
from billfold.storage.schema import TTL_ATTRIBUTE
from billfold.storage.table import ConditionFailed, Put, Update
from billfold.usage import counters as counters_module
from billfold.usage.counters import add_usage, consume, set_usage
from billfold.usage.models import NEVER, Counter, Window, relation, window_of
from billfold.usage.writes import (
    Change,
    State,
    closed_period_update,
    counter_update,
    dedupe_put,
    is_live_dedupe,
    plan,
    rollover_updates,
    same_report,
)

JAN = Period(start=datetime(2025, 1, 1, tzinfo=UTC), end=datetime(2025, 2, 1, tzinfo=UTC))
FEB = Period(start=datetime(2025, 2, 1, tzinfo=UTC), end=datetime(2025, 3, 1, tzinfo=UTC))
WEEK = Period(start=datetime(2025, 1, 6, tzinfo=UTC), end=datetime(2025, 1, 13, tzinfo=UTC))
NOW = datetime(2025, 1, 15, tzinfo=UTC)


def _counter(period: Period | None, used: int, feature: str = "calls") -> Counter:
    window = window_of(period)
    return Counter(feature_id=feature, period_start=window.start, period_end=window.end, used=used)


# Counter and periods


def test_a_counter_holds_its_usage_for_its_own_period():
    assert _counter(JAN, 7).used_in(JAN) == 7


def test_a_counter_from_a_past_period_counts_as_zero_in_the_new_one():
    assert _counter(JAN, 7).used_in(FEB) == 0


def test_a_counter_already_in_a_later_period_holds_nothing_for_an_earlier_one():
    assert _counter(FEB, 7).used_in(JAN) == 0


def test_a_counter_that_never_resets_counts_only_while_the_feature_never_resets():
    never = _counter(None, 5)

    assert (never.used_in(None), never.used_in(JAN)) == (5, 0)
    assert _counter(JAN, 5).used_in(None) == 0


def test_a_counter_knows_its_period():
    assert _counter(JAN, 1).period == JAN
    assert _counter(None, 1).period is None


def test_stored_periods_sort_as_time_does():
    assert window_of(JAN) == Window("2025-01-01T00:00:00.000000Z", "2025-02-01T00:00:00.000000Z")
    assert window_of(JAN).start < window_of(FEB).start
    assert window_of(None) == NEVER == Window("", "")


@pytest.mark.parametrize(
    ("stored", "target", "expected"),
    [
        (None, JAN, "absent"),
        (JAN, JAN, "current"),
        (JAN, FEB, "behind"),
        (FEB, JAN, "ahead"),
        (WEEK, JAN, "behind"),  # a reset period that changed: not a late report
        (JAN, WEEK, "behind"),
        (JAN, None, "behind"),  # monthly to never
    ],
)
def test_where_a_counter_stands_against_a_period(stored, target, expected):
    stored_window = window_of(stored) if stored is not None else None
    assert relation(stored_window, window_of(target)) == expected


def test_a_never_counter_is_behind_a_periodic_one():
    assert relation(NEVER, window_of(JAN)) == "behind"
    assert relation(NEVER, NEVER) == "current"


# Refusals


def test_a_change_is_refused_below_zero_and_past_the_limit():
    below = Change("add", -3).refusal(2)
    past = Change("consume", 2, limit=10).refusal(9)

    assert isinstance(below, InvalidInput)
    assert below.code == "usage_below_zero"
    assert isinstance(past, RuleViolation)
    assert past.code == "limit_exceeded"


def test_a_change_up_to_the_limit_is_allowed():
    assert Change("consume", 2, limit=10).refusal(8) is None
    assert Change("consume", 10**9).refusal(10**9) is None
    assert Change("set", 0).refusal(50) is None


# The writes a report plans


def _placeholders(update: Update) -> set[str]:
    text = update.expression + " " + (update.condition.expression if update.condition else "")
    return set(re.findall(r"[#:][A-Za-z0-9_]+", text))


def _assert_placeholders_match(update: Update) -> None:
    """DynamoDB refuses unused names and values, and missing ones."""
    condition = update.condition
    given = set(update.names) | set(update.values)
    if condition is not None:
        given |= set(condition.names) | set(condition.values)
    assert given == _placeholders(update)


CHANGES = [
    Change("add", 3),
    Change("add", -2),
    Change("set", 4),
    Change("consume", 1, limit=10),
    Change("consume", 11, limit=10),
    Change("consume", 5),
]


@pytest.mark.parametrize("change", CHANGES)
def test_every_planned_write_names_exactly_the_placeholders_it_uses(change):
    stored = _counter(JAN, 4)
    writes = [
        counter_update("c1", "calls", window_of(FEB), change, NOW),
        closed_period_update("c1", "calls", window_of(JAN), change, NOW),
        *rollover_updates("c1", "calls", window_of(FEB), stored, Change("add", 1), NOW),
    ]
    for write in writes:
        _assert_placeholders_match(write)


def test_an_add_updates_the_counter_if_new_or_in_the_same_period():
    update = counter_update("c1", "calls", window_of(JAN), Change("add", 3), NOW)

    assert update.key == keys.usage_counter("c1", "calls")
    assert update.key == {"pk": "CUSTOMER#c1", "sk": "ENT#USAGE#calls"}
    assert "ADD #used :amount" in update.expression
    assert update.condition is not None
    assert update.condition.expression == "attribute_not_exists(pk) OR (#ps = :ps AND #pe = :pe)"
    assert update.values[":ps"] == "2025-01-01T00:00:00.000000Z"


def test_consume_checks_the_limit_as_room_left_before_the_amount():
    update = counter_update("c1", "calls", window_of(JAN), Change("consume", 3, limit=10), NOW)

    assert update.condition is not None
    assert "#used <= :room" in update.condition.expression
    assert update.values[":room"] == 7
    assert update.condition.expression.startswith("attribute_not_exists(pk) OR")


def test_a_change_that_no_new_counter_could_take_does_not_create_one():
    negative = counter_update("c1", "calls", window_of(JAN), Change("add", -1), NOW)
    too_big = counter_update("c1", "calls", window_of(JAN), Change("consume", 11, limit=10), NOW)

    for update in (negative, too_big):
        assert update.condition is not None
        assert "attribute_not_exists" not in update.condition.expression


def test_set_replaces_the_count():
    update = counter_update("c1", "calls", window_of(JAN), Change("set", 4), NOW)

    assert "#used = :amount" in update.expression
    assert "ADD" not in update.expression


def test_a_rollover_restarts_the_counter_and_closes_the_old_period_as_read():
    stored = _counter(JAN, 7)

    restart, close = rollover_updates("c1", "calls", window_of(FEB), stored, Change("add", 2), NOW)

    assert restart.key == keys.usage_counter("c1", "calls")
    assert restart.values[":new"] == 2
    assert restart.condition is not None
    assert restart.condition.expression == (
        "#ps = :old_start AND #pe = :old_end AND #used = :old_used"
    )
    assert (restart.values[":old_start"], restart.values[":old_used"]) == (stored.period_start, 7)
    assert close.key == {"pk": "CUSTOMER#c1", "sk": f"USAGE#calls#{stored.period_start}"}
    assert "ADD #used :amount" in close.expression
    assert close.values[":amount"] == 7
    assert close.condition is None


def test_without_a_read_a_report_plans_one_write_to_the_counter():
    writes = plan("c1", "calls", window_of(FEB), Change("add", 1), NOW, None)

    assert [w.key for w in writes] == [keys.usage_counter("c1", "calls")]


def test_after_a_read_a_counter_behind_rolls_over():
    state = State(counter=_counter(JAN, 7), closed=None, dedupe=None)

    writes = plan("c1", "calls", window_of(FEB), Change("consume", 10, limit=10), NOW, state)

    assert len(writes) == 2
    assert writes[0].key == keys.usage_counter("c1", "calls")


def test_after_a_read_a_late_report_goes_to_its_closed_period():
    state = State(counter=_counter(FEB, 1), closed=_counter(JAN, 7), dedupe=None)

    writes = plan("c1", "calls", window_of(JAN), Change("add", 2), NOW, state)

    assert [w.key for w in writes] == [keys.usage_period("c1", "calls", window_of(JAN).start)]


@pytest.mark.parametrize(
    ("state", "change", "error"),
    [
        (State(_counter(JAN, 9), None, None), Change("consume", 2, limit=10), RuleViolation),
        (State(_counter(JAN, 1), None, None), Change("add", -2), InvalidInput),
        (State(None, None, None), Change("add", -1), InvalidInput),
        (State(_counter(JAN, 0), None, None), Change("consume", 11, limit=10), RuleViolation),
        (State(_counter(FEB, 0), _counter(JAN, 10), None), Change("consume", 1, 10), RuleViolation),
    ],
)
def test_after_a_read_a_change_that_may_not_apply_is_refused(state, change, error):
    with pytest.raises(error):
        plan("c1", "calls", window_of(JAN), change, NOW, state)


def test_a_stale_counter_does_not_count_against_the_limit_of_the_new_period():
    state = State(counter=_counter(JAN, 10), closed=None, dedupe=None)

    writes = plan("c1", "calls", window_of(FEB), Change("consume", 10, limit=10), NOW, state)

    assert writes[0].values[":new"] == 10


def test_the_dedupe_record_is_new_or_expired_and_lives_seven_days():
    put = dedupe_put("c1", "calls", "req-1", Change("add", 3), NOW)

    assert isinstance(put, Put)
    assert (put.item["pk"], put.item["sk"]) == ("CUSTOMER#c1", "DEDUPE#req-1")
    assert put.item[TTL_ATTRIBUTE] == int((NOW + timedelta(days=7)).timestamp())
    assert put.condition is not None
    assert put.condition.expression == "attribute_not_exists(pk) OR #exp <= :now"
    assert is_live_dedupe(put.item, NOW + timedelta(days=6))
    assert not is_live_dedupe(put.item, NOW + timedelta(days=7))
    assert not is_live_dedupe(None, NOW)


def test_a_dedupe_record_matches_only_the_same_report():
    record = dedupe_put("c1", "calls", "req-1", Change("add", 3), NOW).item

    assert same_report(record, "calls", Change("add", 3))
    assert not same_report(record, "calls", Change("add", 4))
    assert not same_report(record, "other", Change("add", 3))
    assert not same_report(record, "calls", Change("set", 3))


# Reports: checked before any call, retried a bounded number of times


class _NoCalls:
    """A table that must not be called."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"unexpected table call: {name}")


@pytest.mark.parametrize(
    "report",
    [
        lambda t: add_usage(t, "c1", "calls", JAN, -1, "k", NOW),
        lambda t: add_usage(t, "c1", "calls", JAN, True, "k", NOW),
        lambda t: add_usage(t, "c1", "calls", JAN, 1, "", NOW),
        lambda t: add_usage(t, "c1", "calls", JAN, 1, "has space", NOW),
        lambda t: add_usage(t, "c1", "calls", JAN, 1, "k" * 256, NOW),
        lambda t: add_usage(t, "c1", "calls", JAN, 1, "k\n", NOW),
        lambda t: set_usage(t, "c1", "calls", JAN, -1, "k", NOW),
        lambda t: consume(t, "c1", "calls", JAN, -1, 10, "k", NOW),
        lambda t: consume(t, "c1", "calls", JAN, 1, -1, "k", NOW),
    ],
)
def test_invalid_reports_are_refused_before_any_write(report):
    with pytest.raises(InvalidInput):
        report(_NoCalls())


def test_a_naive_now_is_an_error():
    with pytest.raises(ValueError, match="timezone-aware"):
        add_usage(_NoCalls(), "c1", "calls", JAN, 1, "k", datetime(2025, 1, 1))  # type: ignore[arg-type]


class _AlwaysConflicting:
    """A table where every transaction loses to another and reads find nothing."""

    def __init__(self) -> None:
        self.transactions = 0

    def transact(self, writes: list[Any]) -> None:
        self.transactions += 1
        raise ConditionFailed((0,))

    def get_many(self, item_keys: list[Any], *, consistent: bool = False) -> list[Any]:
        return []


def test_a_report_that_keeps_losing_gives_up_after_a_bounded_number_of_tries(monkeypatch):
    monkeypatch.setattr(retries.time, "sleep", lambda seconds: None)
    table = _AlwaysConflicting()

    with pytest.raises(Conflict) as raised:
        add_usage(table, "c1", "calls", JAN, 1, "k", NOW)  # type: ignore[arg-type]

    assert raised.value.code == "concurrent_modification"
    assert table.transactions == counters_module.MAX_ATTEMPTS
