"""The webhook retry sweep (EventBridge, every minute): queue every delivery whose retry is
due."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from billfold_lambda import dependencies as deps
from billfold_lambda.observability import logger, metrics, traced

from billfold.endpoints.deliveries import due_retries


@logger.inject_lambda_context
@traced
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    """`{"queued": N}`: how many retries were queued."""
    due = due_retries(deps.table(), deps.clock().now())
    deps.queue_deliveries(due)
    logger.info("webhook retries queued", extra={"queued": len(due)})
    return {"queued": len(due)}
