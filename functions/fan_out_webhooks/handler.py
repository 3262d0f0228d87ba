"""The webhook fan-out (SQS, fed by the event bus): record a delivery of each event to every
endpoint that wants it, and queue the deliveries."""

from typing import Any

from billfold_lambda import dependencies as deps
from billfold_lambda.observability import logger
from billfold_lambda.queues import sqs_worker

from billfold.endpoints.deliveries import fan_out
from billfold.endpoints.service import stored_endpoints


def deliver(envelope: dict[str, Any]) -> None:
    """Fan one EventBridge event (its `detail` is the billfold event) out to the endpoints."""
    table = deps.table()
    event = envelope["detail"]
    queued = fan_out(table, event, stored_endpoints(table), deps.clock().now())
    deps.queue_deliveries(queued)
    logger.info("event fanned out", extra={"event_id": event["id"], "deliveries": len(queued)})


handler = sqs_worker(deliver)
