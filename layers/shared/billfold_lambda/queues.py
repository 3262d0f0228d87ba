"""The glue of the queue workers: an SQS batch where each message succeeds or fails alone.

A message whose work raises is reported back as a batch item failure, so SQS redelivers only
it (and moves it to the dead-letter queue after its last try); the others are deleted.
"""

import json
from collections.abc import Callable
from typing import Any, cast

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from billfold_lambda.observability import logger, metrics, traced

Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def sqs_worker(work: Callable[[dict[str, Any]], None]) -> Handler:
    """A Lambda handler that runs `work` on each message's JSON body."""
    processor = BatchProcessor(event_type=EventType.SQS)

    def one(record: SQSRecord) -> None:
        work(json.loads(record.body))

    @logger.inject_lambda_context
    @traced
    @metrics.log_metrics(capture_cold_start_metric=True)
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        response = process_partial_response(
            event=event, record_handler=one, processor=processor, context=context
        )
        return dict(response)

    return cast(Handler, handler)
