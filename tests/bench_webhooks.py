"""`make bench`: the delay from a state change to its webhook delivery on the local stack.

A change through the API (a customer's new name) commits its outbox item with it; the stream
pump feeds the relay, which publishes to the EventBridge bus (moto); a rule feeds the fan-out
queue, then the delivery queue, and the delivery worker POSTs to an endpoint: here an HTTP
server on loopback in this process, which notes when each delivery arrived. Measured from the
moment the change's HTTP response arrived (the write committed) to that arrival. Printed,
never asserted.
"""

import json
import random
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

from local import queues
from local.dev import LocalApi, running_local_api
from local.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
KEY = "bf_sk_benchmark_key_0123456789abcdefghijkl"
CHANGES = 100
WAIT_SECONDS = 60.0
"""How long to wait for a change's delivery (for a burst's: from its last change)."""
EVENT_TYPE = "customer.updated"


@dataclass
class Arrivals:
    """When each customer name first arrived in a delivery (perf_counter seconds)."""

    at: dict[str, float] = field(default_factory=dict)
    deliveries: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, body: bytes, arrived: float) -> None:
        """Note a delivery's arrival, keyed by the customer name in its data."""
        try:
            event: dict[str, Any] = json.loads(body)
            name = event["data"]["name"] if event["type"] == EVENT_TYPE else None
        except (ValueError, KeyError, TypeError):
            name = None
        with self.lock:
            self.deliveries += 1
            if isinstance(name, str):
                self.at.setdefault(name, arrived)

    def arrived(self, name: str) -> float | None:
        """When `name` first arrived, if it has."""
        with self.lock:
            return self.at.get(name)

    def count(self, names: list[str]) -> int:
        """How many of `names` have arrived."""
        with self.lock:
            return sum(1 for name in names if name in self.at)


def _handler(arrivals: Arrivals) -> type[BaseHTTPRequestHandler]:
    """A request handler that notes each POST's arrival and answers 200."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            arrivals.record(body, time.perf_counter())
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    return Handler


@contextmanager
def running_endpoint() -> Iterator[tuple[str, Arrivals]]:
    """A webhook endpoint on a free loopback port until the block ends: its URL and arrivals."""
    arrivals = Arrivals()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(arrivals))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/billfold-events", arrivals
    finally:
        server.shutdown()
        server.server_close()


def _rename(session: requests.Session, url: str, customer_id: str, name: str) -> float:
    """PATCH the customer's name; the perf_counter moment its response arrived."""
    response = session.patch(f"{url}/v1/customers/{customer_id}", json={"name": name}, timeout=30)
    arrived = time.perf_counter()
    response.raise_for_status()
    return arrived


def _wait_for(arrivals: Arrivals, names: list[str], seconds: float) -> None:
    """Wait until every name in `names` has arrived, or `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while arrivals.count(names) < len(names) and time.monotonic() < deadline:
        time.sleep(0.01)


def _delays(
    session: requests.Session,
    url: str,
    customer_id: str,
    arrivals: Arrivals,
    prefix: str,
    wait_each: bool,
) -> list[float]:
    """Rename the customer `CHANGES` times, one after another (if `wait_each`, each after the
    last one's delivery and a random pause of up to a queue poll, so that changes do not fall
    in step with the queue pump's polls); the delays in milliseconds of those delivered,
    sorted."""
    names = [f"{prefix}-{n}" for n in range(CHANGES)]
    pauses = random.Random(0)
    committed = {}
    for name in names:
        if wait_each:
            time.sleep(pauses.uniform(0, queues.POLL_SECONDS))
        committed[name] = _rename(session, url, customer_id, name)
        if wait_each:
            _wait_for(arrivals, [name], WAIT_SECONDS)
    _wait_for(arrivals, names, WAIT_SECONDS)
    return sorted(
        (at - committed[name]) * 1000
        for name in names
        if (at := arrivals.arrived(name)) is not None
    )


def _summary(delays: list[float]) -> str:
    """p50 / p95 / max of sorted delays, and how many were delivered."""
    if not delays:
        return f"none delivered within {WAIT_SECONDS:.0f} s"
    p50, p95 = delays[len(delays) // 2], delays[int(len(delays) * 0.95)]
    return f"{p50:6.0f} / {p95:6.0f} / {delays[-1]:6.0f}, {len(delays)} of {CHANGES} delivered"


def webhook_delivery_figures(api: LocalApi) -> None:
    """Delay from a change's committed response to its webhook delivery, over `CHANGES`
    renames of one customer (after one warm-up rename): each made once the last one was
    delivered (an idle pipeline), then all back to back (a burst queues behind itself)."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {api.server_key}"
    run = uuid.uuid4().hex[:8]
    customer_id, endpoint_id = f"bench-hooks-{run}", f"bench-hooks-{run}"
    with running_endpoint() as (endpoint_url, arrivals):
        endpoint = {"id": endpoint_id, "url": endpoint_url, "eventTypes": [EVENT_TYPE]}
        customer = {"id": customer_id, "email": f"{customer_id}@example.com", "name": "warm-up"}
        for path, body in (("/v1/webhook-endpoints", endpoint), ("/v1/customers", customer)):
            session.post(api.url + path, json=body, timeout=30).raise_for_status()
        try:
            _rename(session, api.url, customer_id, f"{run}-warm-up")
            _wait_for(arrivals, [f"{run}-warm-up"], WAIT_SECONDS)
            idle = _delays(session, api.url, customer_id, arrivals, f"{run}-idle", True)
            burst = _delays(session, api.url, customer_id, arrivals, f"{run}-burst", False)
        finally:
            session.delete(f"{api.url}/v1/webhook-endpoints/{endpoint_id}", timeout=30)
    print(
        f"webhook delivery, from a change's response to the endpoint, {CHANGES} renames of "
        "one customer (p50 / p95 / max ms):"
    )
    print(f"  each once the last was delivered {_summary(idle)}")
    print(f"  back to back                     {_summary(burst)}")


def main() -> None:
    """Start the local stack (no demo catalog: a customer needs none) and measure."""
    with running_local_api(free_port(), KEY, ROOT / ".build" / "bench", demo=False) as api:
        webhook_delivery_figures(api)


if __name__ == "__main__":
    main()
