"""The event log: a customer's recent events (30 days), newest first, as published."""

from billfold.customers.service import get_customer
from billfold.events.models import Event
from billfold.outbox import recent_events
from billfold.storage.table import Table


def customer_events(
    table: Table, customer_id: str | None, *, limit: int, cursor: str | None
) -> tuple[list[Event], str | None]:
    """One page of the customer's events (None: the deployment's own), newest first; an event
    not yet relayed has no `sequence` yet. NotFound for no such customer."""
    if customer_id is not None:
        get_customer(table, customer_id)
    events, next_cursor = recent_events(table, customer_id, limit=limit, cursor=cursor)
    return [Event.model_validate(event) for event in events], next_cursor
