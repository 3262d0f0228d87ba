"""The relay (DynamoDB stream): publish each new outbox event on the EventBridge bus with its
sequence number, and record the usage thresholds a counter's change crossed."""

from typing import Any, cast

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from billfold_lambda import dependencies as deps
from billfold_lambda.observability import logger, metrics, traced

from billfold.events.relay import handle_change
from billfold.storage.table import integers_only

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def relay(record: DynamoDBRecord) -> None:
    """Handle one stream record (its images deserialized, numbers as integers)."""
    change = record.dynamodb
    if change is None:
        return
    old = change.old_image or None
    new = change.new_image or None
    handle_change(deps.table(), deps.event_bus(), _plain(old), _plain(new), deps.clock().now())


def _plain(image: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if image is None else cast(dict[str, Any], integers_only(image))


@logger.inject_lambda_context
@traced
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Relay a batch of stream records; a failed record is retried with those after it."""
    return dict(
        process_partial_response(
            event=event, record_handler=relay, processor=processor, context=context
        )
    )
