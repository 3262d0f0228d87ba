"""An event as published and as the event log answers it."""

from datetime import datetime
from typing import Any

from billfold.models import ApiModel
from billfold.outbox import API_VERSION, EventType


class Event(ApiModel):
    """An event: what changed (`type`, `data`), for whom (`customerId`; null for events about
    the deployment itself) and in what order (`sequence`: only grows within one customer)."""

    id: str
    type: EventType
    api_version: str = API_VERSION
    created_at: datetime
    customer_id: str | None
    sequence: int | None
    """Given when the event is published (null only in the log, for an instant)."""
    data: dict[str, Any]
