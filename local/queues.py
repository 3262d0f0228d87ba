"""The local stand-in for Lambda's SQS event source mappings: receive from moto's SQS, invoke the
worker function with a real SQS event, delete what succeeded (failures come back after the
visibility timeout, and go to the dead-letter queue after their last try, as in AWS). A worker
that raises failed its whole batch; nothing stops the polling."""

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from local.functions import FunctionLoader
from local.lambda_context import LocalLambdaContext
from local.polling import Poller

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef

log = logging.getLogger(__name__)

MAX_ROUNDS = 5
"""Rounds of draining in one poll while the queues keep having work."""
POLL_SECONDS = 0.5
"""How often idle queues are polled: moto serves one request at a time, so polling competes
with every other call to it."""


@dataclass(frozen=True)
class Binding:
    """A queue and the function that consumes it."""

    queue_url: str
    queue_arn: str
    operation: str


def sqs_event(messages: list["MessageTypeDef"], queue_arn: str) -> dict[str, Any]:
    """The event Lambda hands an SQS-triggered function."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": queue_arn.split(":")[3],
            }
            for message in messages
        ]
    }


class QueuePump(Poller):
    """Feeds each bound queue's messages to its worker, in the background or on demand, and
    runs the `scheduled` functions at every poll (the local stand-in for their schedules)."""

    interval = POLL_SECONDS
    idle_interval = 2 * POLL_SECONDS

    def __init__(
        self,
        sqs: "SQSClient",
        functions: FunctionLoader,
        bindings: list[Binding],
        scheduled: tuple[str, ...] = (),
    ) -> None:
        self._sqs = sqs
        self._functions = functions
        self._scheduled = scheduled
        self._bindings = {binding.operation: binding for binding in bindings}
        self._locks = {binding.operation: threading.Lock() for binding in bindings}
        super().__init__()

    def drain(self, operation: str) -> int:
        """Deliver the queue's messages until none is visible, or only messages that already
        failed in this drain come back (they would come back forever with no visibility
        timeout); how many were handled."""
        binding = self._bindings[operation]
        handled = 0
        failed: set[str] = set()
        with self._locks[operation]:
            while True:
                messages = self._receive(binding)
                received = {m["MessageId"] for m in messages}
                if not messages or received <= failed:
                    return handled
                done = self._deliver(binding, messages)
                handled += len(done)
                failed |= received - done

    def _receive(self, binding: Binding) -> list["MessageTypeDef"]:
        """A batch, with the attributes Lambda's event carries (moto moves a message that has
        had its last try to the dead-letter queue here, as SQS does)."""
        received = self._sqs.receive_message(
            QueueUrl=binding.queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=0,
            MessageSystemAttributeNames=["All"],
        )
        return received.get("Messages", [])

    def _deliver(self, binding: Binding, messages: list["MessageTypeDef"]) -> set[str]:
        """Invoke the worker and delete what it handled; the ids deleted. Failed messages stay
        in flight until the visibility timeout; a worker that raises failed them all."""
        event = sqs_event(messages, binding.queue_arn)
        try:
            with self._functions.container(binding.operation) as worker:
                response = worker.handler(event, LocalLambdaContext(binding.operation))
        except Exception:
            log.exception("%s failed a batch of %d", binding.operation, len(messages))
            return set()
        failed = {item["itemIdentifier"] for item in response.get("batchItemFailures", [])}
        done = [m for m in messages if m["MessageId"] not in failed]
        for message in done:
            self._sqs.delete_message(
                QueueUrl=binding.queue_url, ReceiptHandle=message["ReceiptHandle"]
            )
        return {m["MessageId"] for m in done}

    def run_scheduled(self, operation: str) -> Any:
        """Invoke a scheduled function with the event an EventBridge schedule sends."""
        event = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
        with self._functions.container(operation) as function:
            return function.handler(event, LocalLambdaContext(operation))

    def poll_once(self) -> bool:
        """Run the scheduled functions, then drain every queue (one failing stops no other),
        again while any had messages (so work one worker queues for another is picked up in
        the same round, as a Lambda trigger would at once); whether any queue had messages."""
        for scheduled in self._scheduled:
            try:
                self.run_scheduled(scheduled)
            except Exception:
                log.exception("scheduled %s failed; running on", scheduled)
        busy = False
        for _ in range(MAX_ROUNDS):
            handled = 0
            for operation in self._bindings:
                try:
                    handled += self.drain(operation)
                except Exception:
                    log.exception("polling the %s queue failed; polling on", operation)
            if not handled:
                return busy
            busy = True
        return busy
