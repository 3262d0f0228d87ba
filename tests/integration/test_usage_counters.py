"""Usage counters against the real DynamoDB API (moto server): exactly-once, rollover, limits."""

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from billfold.billing.periods import Period
from billfold.entitlements.models import MaterializedEntitlements, ResolvedEntitlement
from billfold.errors import BillfoldError, InvalidInput, RuleViolation
from billfold.storage import keys
from billfold.storage.schema import TTL_ATTRIBUTE
from billfold.storage.table import Condition, ConditionFailed, Table
from billfold.usage.counters import (
    add_usage,
    consume,
    current_usage,
    read_entitlements_and_usage,
    set_usage,
    usage_history,
)

JAN = Period(start=datetime(2025, 1, 1, tzinfo=UTC), end=datetime(2025, 2, 1, tzinfo=UTC))
FEB = Period(start=datetime(2025, 2, 1, tzinfo=UTC), end=datetime(2025, 3, 1, tzinfo=UTC))
MAR = Period(start=datetime(2025, 3, 1, tzinfo=UTC), end=datetime(2025, 4, 1, tzinfo=UTC))
IN_JAN = datetime(2025, 1, 15, 12, tzinfo=UTC)
IN_FEB = datetime(2025, 2, 10, tzinfo=UTC)
IN_MAR = datetime(2025, 3, 10, tzinfo=UTC)

FEATURE = "api-calls"


@pytest.fixture
def customer(uid: str) -> str:
    return f"usage-{uid}"


@pytest.fixture
def own_client(table: Table) -> Iterator[Any]:
    """A DynamoDB client of the test's own (its calls can be watched), closed afterwards so no
    keep-alive connection holds a moto thread (moto waits for them when it stops)."""
    client = boto3.client("dynamodb")
    yield client
    client.close()


@pytest.fixture
def own_table(table: Table, own_client: Any) -> Table:
    """billfold's table through the test's own client."""
    return Table(table.name, client=own_client)


def _used(table: Table, customer: str, period: Period | None, feature: str = FEATURE) -> int:
    counter = current_usage(table, customer, feature)
    return counter.used_in(period) if counter else 0


def test_a_delta_adds_to_the_counter(table, customer):
    first = add_usage(table, customer, FEATURE, JAN, 3, "k1", IN_JAN)
    second = add_usage(table, customer, FEATURE, JAN, 4, "k2", IN_JAN)

    assert (first.counted, first.used) == (True, 3)
    assert (second.counted, second.used) == (True, 7)
    stored = table.get(keys.usage_counter(customer, FEATURE), consistent=True)
    assert stored is not None
    assert stored["used"] == 7
    assert stored["period_start"] == "2025-01-01T00:00:00.000000Z"
    assert stored["period_end"] == "2025-02-01T00:00:00.000000Z"


def test_the_same_idempotency_key_counts_once(table, customer):
    add_usage(table, customer, FEATURE, JAN, 5, "once", IN_JAN)
    add_usage(table, customer, FEATURE, JAN, 1, "other", IN_JAN)

    again = add_usage(table, customer, FEATURE, JAN, 5, "once", IN_JAN + timedelta(hours=1))

    assert (again.counted, again.used) == (False, 6)
    assert _used(table, customer, JAN) == 6


def test_the_dedupe_record_expires_after_seven_days(table, customer):
    add_usage(table, customer, FEATURE, JAN, 1, "ttl", IN_JAN)

    record = table.get(keys.usage_dedupe(customer, "ttl"), consistent=True)

    assert record is not None
    assert record[TTL_ATTRIBUTE] == int((IN_JAN + timedelta(days=7)).timestamp())


def test_a_key_is_counted_again_once_its_record_has_expired(table, customer):
    add_usage(table, customer, FEATURE, JAN, 1, "late-retry", IN_JAN)

    again = add_usage(table, customer, FEATURE, JAN, 1, "late-retry", IN_JAN + timedelta(days=8))

    assert (again.counted, again.used) == (True, 2)


def test_a_key_reused_for_another_report_is_refused(table, customer):
    add_usage(table, customer, FEATURE, JAN, 1, "reused", IN_JAN)

    with pytest.raises(InvalidInput) as raised:
        add_usage(table, customer, "other-feature", JAN, 1, "reused", IN_JAN)

    assert raised.value.code == "idempotency_key_reused"
    assert current_usage(table, customer, "other-feature") is None


def test_set_replaces_the_count(table, customer):
    add_usage(table, customer, FEATURE, JAN, 9, "a", IN_JAN)

    result = set_usage(table, customer, FEATURE, JAN, 4, "s", IN_JAN)
    replay = set_usage(table, customer, FEATURE, JAN, 4, "s", IN_JAN)

    assert (result.counted, result.used) == (True, 4)
    assert (replay.counted, replay.used) == (False, 4)


def test_a_new_period_closes_the_old_one_into_history_and_restarts(table, customer):
    add_usage(table, customer, FEATURE, JAN, 7, "jan", IN_JAN)

    result = add_usage(table, customer, FEATURE, FEB, 2, "feb", IN_FEB)

    assert (result.counted, result.used) == (True, 2)
    counter = current_usage(table, customer, FEATURE)
    assert counter is not None
    assert counter.period == FEB
    assert (counter.used_in(FEB), counter.used_in(MAR)) == (2, 0)
    history, cursor = usage_history(table, customer, FEATURE)
    assert [(h.period, h.used) for h in history] == [(JAN, 7)]
    assert cursor is None


def test_set_in_a_new_period_rolls_over_too(table, customer):
    add_usage(table, customer, FEATURE, JAN, 7, "jan", IN_JAN)

    result = set_usage(table, customer, FEATURE, FEB, 3, "feb", IN_FEB)

    assert result.used == 3
    assert [h.used for h in usage_history(table, customer, FEATURE)[0]] == [7]


def test_history_lists_closed_periods_newest_first_a_page_at_a_time(table, customer):
    add_usage(table, customer, FEATURE, JAN, 1, "jan", IN_JAN)
    add_usage(table, customer, FEATURE, FEB, 2, "feb", IN_FEB)
    add_usage(table, customer, FEATURE, MAR, 3, "mar", IN_MAR)
    add_usage(table, customer, "other", JAN, 5, "other-jan", IN_JAN)
    add_usage(table, customer, "other", FEB, 5, "other-feb", IN_FEB)

    first, cursor = usage_history(table, customer, FEATURE, limit=1)
    rest, end = usage_history(table, customer, FEATURE, limit=5, cursor=cursor)

    assert [(h.period, h.used) for h in first + rest] == [(FEB, 2), (JAN, 1)]
    assert cursor is not None
    assert end is None


def test_a_late_report_counts_in_its_closed_period(table, customer):
    add_usage(table, customer, FEATURE, JAN, 4, "jan", IN_JAN)
    add_usage(table, customer, FEATURE, FEB, 1, "feb", IN_FEB)

    late = add_usage(table, customer, FEATURE, JAN, 2, "late-jan", IN_FEB)

    assert (late.counted, late.used) == (True, 6)
    assert _used(table, customer, FEB) == 1
    assert [(h.period, h.used) for h in usage_history(table, customer, FEATURE)[0]] == [(JAN, 6)]


def test_a_counter_that_never_resets_keeps_counting(table, customer):
    add_usage(table, customer, FEATURE, None, 2, "a", IN_JAN)

    result = add_usage(table, customer, FEATURE, None, 3, "b", IN_MAR)

    assert result.used == 5
    counter = current_usage(table, customer, FEATURE)
    assert counter is not None
    assert (counter.period, counter.used_in(None), counter.used_in(MAR)) == (None, 5, 0)
    assert usage_history(table, customer, FEATURE)[0] == []


def test_consume_allows_exactly_up_to_the_limit_and_counts_nothing_past_it(table, customer):
    results = [consume(table, customer, FEATURE, JAN, 3, 10, f"c{n}", IN_JAN) for n in range(3)]

    with pytest.raises(RuleViolation) as raised:
        consume(table, customer, FEATURE, JAN, 2, 10, "too-many", IN_JAN)
    last = consume(table, customer, FEATURE, JAN, 1, 10, "exactly", IN_JAN)

    assert [r.used for r in results] == [3, 6, 9]
    assert raised.value.code == "limit_exceeded"
    assert (last.counted, last.used) == (True, 10)
    assert table.get(keys.usage_dedupe(customer, "too-many"), consistent=True) is None
    with pytest.raises(RuleViolation):
        consume(table, customer, FEATURE, JAN, 1, 10, "one-more", IN_JAN)
    assert _used(table, customer, JAN) == 10


def test_a_replayed_consume_is_not_refused_when_it_filled_the_limit(table, customer):
    consume(table, customer, FEATURE, JAN, 10, 10, "fill", IN_JAN)

    replay = consume(table, customer, FEATURE, JAN, 10, 10, "fill", IN_JAN)

    assert (replay.counted, replay.used) == (False, 10)


def test_consume_more_than_the_limit_on_a_new_counter_is_refused(table, customer):
    with pytest.raises(RuleViolation):
        consume(table, customer, FEATURE, JAN, 11, 10, "huge", IN_JAN)

    assert current_usage(table, customer, FEATURE) is None


def test_consume_in_a_new_period_starts_from_zero(table, customer):
    consume(table, customer, FEATURE, JAN, 10, 10, "jan", IN_JAN)

    result = consume(table, customer, FEATURE, FEB, 10, 10, "feb", IN_FEB)

    assert result.used == 10
    assert [h.used for h in usage_history(table, customer, FEATURE)[0]] == [10]


def test_consume_without_a_limit_always_counts(table, customer):
    assert consume(table, customer, FEATURE, JAN, 10**9, None, "big", IN_JAN).used == 10**9


def test_a_negative_delta_is_refused_unless_allowed(table, customer):
    add_usage(table, customer, FEATURE, JAN, 5, "up", IN_JAN)

    with pytest.raises(InvalidInput):
        add_usage(table, customer, FEATURE, JAN, -2, "down", IN_JAN)
    corrected = add_usage(table, customer, FEATURE, JAN, -2, "down", IN_JAN, allow_negative=True)

    assert corrected.used == 3


def test_the_count_never_goes_below_zero(table, customer):
    add_usage(table, customer, FEATURE, JAN, 2, "up", IN_JAN)

    with pytest.raises(InvalidInput) as raised:
        add_usage(table, customer, FEATURE, JAN, -3, "down", IN_JAN, allow_negative=True)
    with pytest.raises(InvalidInput):
        add_usage(table, customer, "fresh", JAN, -1, "fresh", IN_JAN, allow_negative=True)

    assert raised.value.code == "usage_below_zero"
    assert _used(table, customer, JAN) == 2
    assert table.get(keys.usage_dedupe(customer, "down"), consistent=True) is None


def _entitlements(customer: str) -> MaterializedEntitlements:
    return MaterializedEntitlements(
        customer_id=customer,
        subscription_status="active",
        subscription_anchor=datetime(2025, 1, 1, tzinfo=UTC),
        plan_id="pro",
        plan_version=1,
        entries={
            FEATURE: ResolvedEntitlement(
                feature_id=FEATURE,
                feature_type="metered",
                limit=100,
                reset_period="monthly",
                reset_anchor="calendar",
                enforcement="hard",
            )
        },
        computed_at=datetime(2025, 1, 1, tzinfo=UTC),
    )


def _recorded_queries(client: Any) -> list[dict[str, Any]]:
    """The Query calls the client makes from now on."""
    calls: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        calls.append(params)

    client.meta.events.register("provide-client-params.dynamodb.Query", record)
    return calls


def test_entitlements_and_counters_come_back_from_one_query(table, own_table, own_client, customer):
    materialized = _entitlements(customer)
    table.put(
        {
            **keys.entitlements(customer),
            "kind": "entitlements",
            **materialized.model_dump(mode="json"),
        }
    )
    add_usage(table, customer, FEATURE, JAN, 3, "a", IN_JAN)
    add_usage(table, customer, "storage", None, 8, "b", IN_JAN)
    add_usage(table, customer, FEATURE, FEB, 4, "c", IN_FEB)
    calls = _recorded_queries(own_client)

    entitlements, counters = read_entitlements_and_usage(own_table, customer)

    assert len(calls) == 1
    assert entitlements == materialized
    assert sorted(counters) == [FEATURE, "storage"]
    assert (counters[FEATURE].used_in(FEB), counters["storage"].used_in(None)) == (4, 8)


def test_an_unknown_customer_has_no_entitlements_and_no_counters(own_table, own_client, customer):
    calls = _recorded_queries(own_client)

    assert read_entitlements_and_usage(own_table, customer) == (None, {})
    assert len(calls) == 1


# Concurrency: many writers on one counter, released together on 8 threads. The local stack
# serves moto one request at a time (local/moto_server.py): moto's threaded server is not atomic
# per request (a canceled TransactWriteItems restores a copy of the whole table, erasing writes
# committed meanwhile), while DynamoDB is. The threads still interleave between requests, which
# is where billfold's own races are (read, plan, conditional write, retry).


def _in_parallel(tasks: list[Callable[[], Any]], workers: int = 8) -> list[Any]:
    """Run the tasks on `workers` threads released together; each task's result or BillfoldError."""
    start = threading.Barrier(workers)

    def run(task: Callable[[], Any]) -> Any:
        try:
            return task()
        except BillfoldError as error:
            return error

    def worker(chunk: list[Callable[[], Any]]) -> list[Any]:
        start.wait()
        return [run(task) for task in chunk]

    chunks = [tasks[n::workers] for n in range(workers)]
    with ThreadPoolExecutor(workers) as pool:
        return [result for chunk in pool.map(worker, chunks) for result in chunk]


def test_concurrent_adds_are_all_counted(own_table, customer):
    tasks = [
        (lambda n=n: add_usage(own_table, customer, FEATURE, JAN, 1, f"add-{n}", IN_JAN))
        for n in range(80)
    ]

    results = _in_parallel(tasks)

    assert all(not isinstance(r, BillfoldError) and r.counted for r in results)
    assert _used(own_table, customer, JAN) == 80


def test_concurrent_consumers_never_pass_the_limit(own_table, customer):
    tasks = [
        (lambda n=n: consume(own_table, customer, FEATURE, JAN, 1, 10, f"use-{n}", IN_JAN))
        for n in range(40)
    ]

    results = _in_parallel(tasks)

    granted = [r for r in results if not isinstance(r, BillfoldError)]
    refused = [r for r in results if isinstance(r, RuleViolation)]
    assert len(granted) + len(refused) == 40
    assert all(r.counted and r.used <= 10 for r in granted)
    assert _used(own_table, customer, JAN) == len(granted) == 10


def test_concurrent_reports_across_a_rollover_lose_nothing(own_table, customer):
    periods = [(JAN, IN_JAN), (FEB, IN_FEB)]
    tasks = [
        (
            lambda n=n: add_usage(
                own_table, customer, FEATURE, periods[n % 2][0], 1, f"r-{n}", periods[n % 2][1]
            )
        )
        for n in range(80)
    ]

    results = _in_parallel(tasks)

    # Under this much contention a report may give up with 409 concurrent_modification (the
    # caller retries it); what must hold is that every report acknowledged as counted is.
    refused = [r for r in results if isinstance(r, BillfoldError)]
    assert all(r.code == "concurrent_modification" for r in refused)
    task_order = [n for worker in range(8) for n in range(worker, len(tasks), 8)]
    counted = [
        n
        for n, r in zip(task_order, results, strict=True)
        if not isinstance(r, BillfoldError) and r.counted
    ]
    assert len(counted) + len(refused) == len(results)
    history = {h.period: h.used for h in usage_history(own_table, customer, FEATURE)[0]}
    assert history[JAN] == sum(1 for n in counted if n % 2 == 0)
    assert _used(own_table, customer, FEB) + history.get(FEB, 0) == sum(
        1 for n in counted if n % 2 == 1
    )


def test_concurrent_single_updates_are_all_applied(own_table, customer):
    key = keys.usage_counter(customer, FEATURE)
    tasks = [(lambda: own_table.update(key, "ADD n :one", values={":one": 1})) for _ in range(80)]

    _in_parallel(tasks)

    stored = own_table.get(key, consistent=True)
    assert stored is not None
    assert stored["n"] == 80


def test_concurrent_conditional_updates_never_pass_a_limit(own_table, customer):
    key = keys.usage_counter(customer, FEATURE)
    own_table.put({**key, "n": 0})
    room = Condition("n <= :room", values={":room": 9})

    def take() -> bool:
        try:
            own_table.update(key, "ADD n :one", room, values={":one": 1})
        except ConditionFailed:
            return False
        return True

    results = _in_parallel([take] * 40)

    stored = own_table.get(key, consistent=True)
    assert stored is not None
    assert stored["n"] == results.count(True) == 10


def test_a_transaction_conflict_is_retried(own_table, own_client, customer):
    calls: list[str] = []

    def conflict_once(**_: Any) -> None:
        calls.append("TransactWriteItems")
        if len(calls) == 1:
            raise ClientError(
                {
                    "Error": {"Code": "TransactionCanceledException", "Message": "conflict"},
                    "CancellationReasons": [{"Code": "TransactionConflict"}, {"Code": "None"}],
                },  # type: ignore[typeddict-item]
                "TransactWriteItems",
            )

    own_client.meta.events.register("before-call.dynamodb.TransactWriteItems", conflict_once)

    result = add_usage(own_table, customer, FEATURE, JAN, 2, "conflicted", IN_JAN)

    assert (result.counted, result.used) == (True, 2)
    assert len(calls) == 2
