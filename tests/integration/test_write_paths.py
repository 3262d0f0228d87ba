# ruff: noqa: F811 - the catalog fixture is imported from test_subscription_changes
"""Plan once, write once: a subscription change reads what it needs once and writes it in one
transaction; counted as DynamoDB requests against the moto server."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from billfold.storage.table import Table
from tests.integration.test_subscription_changes import (  # noqa: F401
    catalog,
    change,
    customer_id,
    preview,
    subscribe,
)

READS = {"GetItem", "BatchGetItem", "Query"}


@pytest.fixture
def own_table(table) -> Table:
    """The table through a client of its own: the local stack's workers use the shared one."""
    return Table(table.name)


@contextmanager
def requests_to(table: Table) -> Iterator[list[str]]:
    """The names of the DynamoDB requests made through the table meanwhile."""
    made: list[str] = []

    def record(model, **_) -> None:
        made.append(model.name)

    events = table._client.meta.events
    events.register("before-call.dynamodb", record)
    try:
        yield made
    finally:
        events.unregister("before-call.dynamodb", record)


def _made_by(act, table, own_table, catalog, customer_id) -> list[str]:
    """The requests of a change (or preview) from Basic with a seat to Pro with three."""
    subscribe(table, customer_id, catalog.basic, addons=[{"addonId": catalog.seats}])
    with requests_to(own_table) as made:
        act(
            own_table,
            customer_id,
            planId=catalog.pro,
            addons=[{"addonId": catalog.seats, "quantity": 3}],
        )
    return made


def test_a_patch_of_plan_and_one_addon_reads_at_most_seven_times_and_writes_once(
    table, own_table, catalog, customer_id
):
    made = _made_by(change, table, own_table, catalog, customer_id)

    reads = [name for name in made if name in READS]
    assert len(reads) <= 7, made
    assert [name for name in made if name not in READS] == ["TransactWriteItems"]


def test_a_preview_reads_no_more_than_the_change_and_writes_nothing(
    table, own_table, catalog, customer_id
):
    made = _made_by(preview, table, own_table, catalog, customer_id)

    assert len(made) <= 7, " ".join(made)
    assert set(made) <= READS
