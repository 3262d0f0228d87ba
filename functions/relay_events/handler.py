"""The relay (DynamoDB stream): publish each new outbox event on the EventBridge bus with its
sequence number, and record the usage thresholds a counter's change crossed.

Records are handled in order and the batch stops at the first that fails: Lambda retries from
it, so no later event of the shard is numbered before it (sequence numbers follow the writes).
"""

from typing import Any

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from billfold_lambda import dependencies as deps
from billfold_lambda.observability import logger, metrics, traced

from billfold.events.relay import handle_change
from billfold.storage.table import Item, integers_only


def relay(record: DynamoDBRecord) -> None:
    """Handle one stream record (its images deserialized, numbers as integers)."""
    change = record.dynamodb
    if change is None:
        return
    handle_change(
        deps.table(),
        deps.event_bus(),
        _plain(change.old_image),
        _plain(change.new_image),
        deps.clock().now(),
    )


def _plain(image: dict[str, Any] | None) -> Item | None:
    return dict(integers_only(image)) if image else None


@logger.inject_lambda_context
@traced
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Relay the batch in order; the first record that fails (and so every later one) is
    reported for Lambda to retry."""
    for raw in event.get("Records", []):
        try:
            relay(DynamoDBRecord(raw))
        except Exception:
            logger.exception("relaying a stream record failed; retried from it")
            failed = raw["dynamodb"]["SequenceNumber"]
            return {"batchItemFailures": [{"itemIdentifier": failed}]}
    return {"batchItemFailures": []}
