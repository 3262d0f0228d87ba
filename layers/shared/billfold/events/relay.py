"""The relay: from the table's stream to the EventBridge bus.

Each new outbox item gets the customer's next `sequence` number (`outbox.sequenced`) and is
published. Stream records of one partition arrive in the order they were written, so sequence
numbers follow the order of the changes.

A usage counter's record is checked for thresholds crossed (`usage.thresholds`); their events
go into the outbox, and come back through the stream to be published like any other.
"""

from datetime import datetime
from typing import Any, Protocol

from billfold.outbox import is_event, sequenced
from billfold.storage.table import Item, Table
from billfold.usage.thresholds import is_counter, record_thresholds


class Bus(Protocol):
    """Where events are published: the EventBridge bus (`EventBridgeBus`)."""

    def publish(self, events: list[dict[str, Any]]) -> None:
        """Publish the events (all, or raise)."""
        ...


def handle_change(
    table: Table, bus: Bus, old: Item | None, new: Item | None, now: datetime
) -> None:
    """React to one stream record (images as plain items; None where the record has none)."""
    if new is None:
        return
    if old is None and is_event(new):
        bus.publish([sequenced(table, new)])
    elif is_counter(new):
        record_thresholds(table, old, new, now)
