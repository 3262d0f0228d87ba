"""Posting a delivery over a real socket on loopback: an endpoint that answers too slowly
fails the attempt, and a host that resolves to a refused address is never connected to."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from billfold.endpoints.sending import HttpSender


@contextmanager
def endpoint(delay: float, status: int = 200) -> Iterator[tuple[int, list[bytes]]]:
    """A loopback endpoint that answers `status` after `delay` seconds; the bodies it got."""
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            time.sleep(delay)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_port, received
    finally:
        server.shutdown()
        server.server_close()


def test_an_answer_in_time_is_its_status_code():
    with endpoint(delay=0, status=204) as (port, received):
        response = HttpSender(allow_loopback=True).send(
            f"http://127.0.0.1:{port}/hook", b'{"id": "evt_1"}', {"X-Test": "1"}
        )

    assert (response.status_code, response.succeeded, response.error) == (204, True, None)
    assert received == [b'{"id": "evt_1"}']


def test_a_server_error_is_a_failed_attempt_with_its_code():
    with endpoint(delay=0, status=500) as (port, _):
        response = HttpSender(allow_loopback=True).send(f"http://127.0.0.1:{port}/", b"{}", {})

    assert (response.status_code, response.succeeded) == (500, False)


def test_an_endpoint_slower_than_the_timeout_fails_the_attempt():
    with endpoint(delay=1.5) as (port, received):
        response = HttpSender(allow_loopback=True, timeout=0.3).send(
            f"http://127.0.0.1:{port}/slow", b"{}", {}
        )

    assert response.status_code is None
    assert response.error == "timed out"
    assert response.duration_ms < 1500
    assert received == [b"{}"]


def test_a_host_resolving_to_a_refused_address_is_never_connected_to():
    with endpoint(delay=0) as (port, received):
        response = HttpSender(allow_loopback=False).send(f"https://localhost:{port}/", b"{}", {})

    assert response.status_code is None
    assert response.error is not None
    assert response.error.startswith("refused:")
    assert received == []


def test_an_endpoint_that_trickles_its_answer_is_cut_off_at_the_deadline():
    """Each byte comes well within the socket timeout, the whole answer does not."""

    class Trickle(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for _ in range(40):
                self.wfile.write(b"X-Slow: 1\r\n")
                self.wfile.flush()
                time.sleep(0.1)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        response = HttpSender(allow_loopback=True, timeout=0.5).send(
            f"http://127.0.0.1:{server.server_port}/", b"{}", {}
        )
    finally:
        server.shutdown()
        server.server_close()

    assert (response.status_code, response.error) == (None, "timed out")  # no read timed out
