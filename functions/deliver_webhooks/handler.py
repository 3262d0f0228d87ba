"""The webhook delivery worker (SQS): attempt each queued delivery, record it, and schedule a
retry when it failed."""

from typing import Any

from billfold_lambda import dependencies as deps
from billfold_lambda.observability import logger
from billfold_lambda.queues import sqs_worker

from billfold.endpoints.deliveries import Queued, attempt


def deliver(message: dict[str, Any]) -> None:
    """Attempt the delivery a message names (nothing if it is done or not due)."""
    now = deps.clock().now()
    delivery = attempt(deps.table(), deps.webhook_sender(), Queued.of(message), now)
    if delivery is not None:
        last = delivery.attempts[-1]
        logger.info(
            "webhook attempted",
            extra={
                "delivery_id": delivery.id,
                "status": last.status,
                "response_code": last.response_code,
                "duration_ms": last.duration_ms,
            },
        )


handler = sqs_worker(deliver)
