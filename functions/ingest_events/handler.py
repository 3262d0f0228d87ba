"""POST /v1/events — raw usage events in batches of up to 1,000, each counted once."""

from billfold_lambda import dependencies as deps
from billfold_lambda.lean import LeanApi

from billfold.usage.events import EventBatch, EventBatchResult, ingest_events

api = LeanApi("ingest_events")


@api.route
def ingest(body: EventBatch) -> EventBatchResult:
    """Per event: accepted, duplicate (counted before) or rejected (with why)."""
    return ingest_events(deps.table(), body, deps.clock().now())


handler = api.handler
