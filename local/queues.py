"""The local stand-in for Lambda's SQS event source mappings: receive from moto's SQS, invoke the
worker function with a real SQS event, delete what succeeded (failures come back after the
visibility timeout, and go to the dead-letter queue after their last try, as in AWS)."""

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from local.functions import FunctionLoader
from local.lambda_context import LocalLambdaContext

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef

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


class QueuePump:
    """Feeds each bound queue's messages to its worker, in the background or on demand."""

    def __init__(
        self, sqs: "SQSClient", functions: FunctionLoader, bindings: list[Binding]
    ) -> None:
        self._sqs = sqs
        self._functions = functions
        self._bindings = {binding.operation: binding for binding in bindings}
        self._locks = {binding.operation: threading.Lock() for binding in bindings}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def drain(self, operation: str) -> int:
        """Deliver the queue's messages until it is empty; how many were handled."""
        binding = self._bindings[operation]
        handled = 0
        with self._locks[operation]:
            while True:
                received = self._sqs.receive_message(
                    QueueUrl=binding.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
                )
                messages = received.get("Messages", [])
                if not messages:
                    return handled
                handled += self._deliver(binding, messages)

    def _deliver(self, binding: Binding, messages: list["MessageTypeDef"]) -> int:
        worker = self._functions.module(binding.operation)
        response = worker.handler(
            sqs_event(messages, binding.queue_arn), LocalLambdaContext(binding.operation)
        )
        failed = {item["itemIdentifier"] for item in response.get("batchItemFailures", [])}
        done = [m for m in messages if m["MessageId"] not in failed]
        for message in done:
            self._sqs.delete_message(
                QueueUrl=binding.queue_url, ReceiptHandle=message["ReceiptHandle"]
            )
        return len(done)

    def _run(self) -> None:
        while not self._stop.is_set():
            for operation in self._bindings:
                self.drain(operation)
            self._stop.wait(POLL_SECONDS)

    def start(self) -> None:
        """Poll every queue on a daemon thread until `stop()`."""
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop polling, once a delivery in progress has finished."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
