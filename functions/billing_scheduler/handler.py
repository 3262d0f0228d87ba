"""The scheduled billing run (EventBridge, every few minutes): queue every customer with work
due, one message each, for the billing worker."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from billfold_lambda import dependencies as deps
from billfold_lambda.observability import logger, metrics, traced

from billfold.settlement.schedule import enqueue_due


@logger.inject_lambda_context
@traced
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    """`{"queued": N}`: how many customers were queued."""
    queue = deps.settings().billing_queue_url
    if not queue:
        raise RuntimeError("the billing queue is not configured for this function")
    queued = enqueue_due(deps.table(), deps.sqs(), queue, deps.clock().now())
    logger.info("billing run queued customers", extra={"queued": queued})
    return {"queued": queued}
