"""What a developer watches on the local stack: the events on the bus (read from a queue a bus
rule fills, as a seller's app would) and the emails SES sent (as moto recorded them)."""

import email
import email.policy
import json
import threading
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.request import urlopen

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

KEPT = 200
"""How many recent events the page keeps."""


class EventTap:
    """The most recent events published on the bus, newest first."""

    def __init__(self, sqs: "SQSClient", queue_url: str) -> None:
        self._sqs = sqs
        self._queue_url = queue_url
        self._events: deque[dict[str, Any]] = deque(maxlen=KEPT)
        self._lock = threading.Lock()

    def recent(self) -> list[dict[str, Any]]:
        """Read what the queue has, and answer the recent events (each as published)."""
        with self._lock:
            while True:
                received = self._sqs.receive_message(
                    QueueUrl=self._queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
                ).get("Messages", [])
                if not received:
                    return list(self._events)
                for message in received:
                    self._events.appendleft(json.loads(message["Body"])["detail"])
                    self._sqs.delete_message(
                        QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"]
                    )


@dataclass(frozen=True)
class SentEmail:
    """One email SES sent: its envelope, subject and both parts."""

    source: str
    to: list[str]
    subject: str
    text: str
    html: str

    def as_json(self) -> dict[str, Any]:
        """As the local route answers it."""
        return {
            "from": self.source,
            "to": self.to,
            "subject": self.subject,
            "text": self.text,
            "html": self.html,
        }


def _parts(raw: str) -> tuple[str, str, str]:
    """The subject, plain-text and HTML parts of a raw MIME message."""
    message = email.message_from_string(raw, policy=email.policy.default)
    text = html = ""
    for part in message.walk():
        if part.get_content_type() == "text/plain" and not text:
            text = str(part.get_content())
        elif part.get_content_type() == "text/html" and not html:
            html = str(part.get_content())
    return str(message.get("Subject", "")), text, html


def sent_emails(moto_url: str) -> list[SentEmail]:
    """Every email SES was asked to send, oldest first (moto's record of them)."""
    with urlopen(f"{moto_url}/moto-api/data.json", timeout=10) as response:
        recorded = json.load(response).get("ses", {}).get("RawMessage", [])
    sent = []
    for message in recorded:
        subject, text, html = _parts(str(message["raw_data"]))
        to = list(dict.fromkeys(message.get("destinations", [])))
        sent.append(SentEmail(str(message["source"]), to, subject, text, html))
    return sent
