"""The EventBridge bus events are published on: `source` billfold, `detail-type` the event
type, `detail` the event itself."""

import json
from typing import TYPE_CHECKING, Any

from billfold.events.routing import SOURCE

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient

MAX_ENTRIES = 10
"""PutEvents takes at most this many entries a call."""


class PublishFailed(Exception):
    """EventBridge refused some entries (they are retried with the stream record)."""


class EventBridgeBus:
    """Publishes events on one EventBridge bus."""

    def __init__(self, client: "EventBridgeClient", bus_name: str) -> None:
        self._client = client
        self._bus_name = bus_name

    def publish(self, events: list[dict[str, Any]]) -> None:
        """Publish every event, ten to a call; PublishFailed if any entry was refused."""
        for start in range(0, len(events), MAX_ENTRIES):
            batch = events[start : start + MAX_ENTRIES]
            response = self._client.put_events(
                Entries=[
                    {
                        "Source": SOURCE,
                        "DetailType": event["type"],
                        "Detail": json.dumps(event, separators=(",", ":")),
                        "EventBusName": self._bus_name,
                    }
                    for event in batch
                ]
            )
            if response.get("FailedEntryCount"):
                raise PublishFailed(f"{response['FailedEntryCount']} events were not published")
