"""Notices: events due at a later moment (a trial ending in 3 days, a card expiring next
month). A notice is an item in the customer's partition, in the due-work index at its moment,
written with the change that makes it due; the billing run publishes it then (`publish`),
deleting it in the same transaction as its event, so it is published once."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from billfold.clock import sortable_timestamp
from billfold.outbox import EventType, derived_event_id, event_put
from billfold.storage import keys
from billfold.storage.due_work import due_work_entry
from billfold.storage.table import Condition, ConditionFailed, Delete, Item, Put, Table


def notice_put(
    customer_id: str,
    name: str,
    event_type: EventType,
    due: datetime,
    data: Mapping[str, Any],
) -> Put:
    """The notice `name` of the customer (replacing any before it): publish `event_type` with
    `data` at `due`."""
    return Put(
        {
            **keys.notice(customer_id, name),
            "kind": "notice",
            "customer_id": customer_id,
            "event_type": event_type.value,
            "event_id": derived_event_id(due, customer_id, name, due.isoformat()),
            "due_at": sortable_timestamp(due),
            "data": dict(data),
            **due_work_entry(customer_id, sortable_timestamp(due)),
        }
    )


def notice_delete(customer_id: str, name: str) -> Delete:
    """Drop the notice `name` (its reason is gone: the trial ended early, the card removed)."""
    return Delete(keys.notice(customer_id, name))


def due_notices(table: Table, customer_id: str, now: datetime) -> list[Item]:
    """The customer's notices due by `now`."""
    page = table.query(
        keys.customer_partition(customer_id),
        sort_key_prefix=keys.NOTICE_PREFIX,
        limit=100,
        consistent=True,
    )
    return [item for item in page.items if item["due_at"] <= sortable_timestamp(now)]


def publish(table: Table, notice: Item, data: Mapping[str, Any], now: datetime) -> bool:
    """Publish a due notice's event with `data`, deleting the notice; False when another run
    published it first or it was replaced meanwhile."""
    still_due = Condition("event_id = :id", values={":id": notice["event_id"]})
    event = event_put(
        EventType(notice["event_type"]),
        notice["customer_id"],
        data,
        now,
        event_id=notice["event_id"],
    )
    try:
        table.transact([Delete({"pk": notice["pk"], "sk": notice["sk"]}, still_due), event])
    except ConditionFailed:
        return False
    return True
