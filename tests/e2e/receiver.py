"""A seller's webhook endpoint for the end-to-end tests: a real HTTP server on loopback that
records every delivery, verifies its signature, and answers what the test tells it to."""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from billfold.endpoints.signing import HEADER, InvalidSignature, verify


@dataclass
class Delivery:
    """One request the endpoint received."""

    headers: dict[str, str]
    body: bytes
    answered: int

    @property
    def event(self) -> dict[str, Any]:
        event: dict[str, Any] = json.loads(self.body)
        return event


@dataclass
class Receiver:
    """The endpoint's URL, its secret once registered, and what it received."""

    url: str
    secret: str = ""
    answers: list[int] = field(default_factory=list)
    """Status codes to answer, in order, before answering 200 to everything."""
    received: list[Delivery] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_answer(self) -> int:
        with self.lock:
            return self.answers.pop(0) if self.answers else 200

    def events(self, customer_id: str, *types: str) -> list[dict[str, Any]]:
        """The events received for one customer (of `types`, if given), in arrival order."""
        with self.lock:
            found = [d.event for d in self.received if d.answered == 200]
        return [
            e for e in found if e["customerId"] == customer_id and (not types or e["type"] in types)
        ]

    def verified(self) -> bool:
        """Whether every delivery carries a valid signature made with the endpoint's secret."""
        with self.lock:
            deliveries = list(self.received)
        for delivery in deliveries:
            try:
                verify(delivery.body, delivery.headers[HEADER], self.secret)
            except (InvalidSignature, KeyError):
                return False
        return bool(deliveries)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status = receiver.next_answer()
            with receiver.lock:
                receiver.received.append(Delivery(dict(self.headers.items()), body, status))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    return Handler


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    """A receiver listening on a free loopback port until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Receiver("")))
    receiver = Receiver(f"http://127.0.0.1:{server.server_port}/billfold-events")
    server.RequestHandlerClass = _handler(receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
