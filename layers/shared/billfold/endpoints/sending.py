"""Posting a delivery: to the address the endpoint's host was checked at, within 10 seconds.

The connection goes to the resolved, checked address (TLS still verifies the certificate for
the host name), so DNS cannot steer a delivery into the deployment's network after the check.
Redirects are not followed: a 3xx is a failed attempt.
"""

import contextlib
import http.client
import socket
import ssl
import threading
import time
from collections.abc import Mapping

from billfold.endpoints.addresses import AddressRefused, Target, resolve, target_of
from billfold.endpoints.deliveries import TIMEOUT_SECONDS, Response
from billfold.errors import InvalidInput

_MAX_READ = 64 * 1024
"""Of the endpoint's answer, this much is read (and thrown away)."""


class _PinnedHttps(http.client.HTTPSConnection):
    """HTTPS to a fixed address, verifying the certificate for the host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedHttp(http.client.HTTPConnection):
    """Plain HTTP to a fixed address (loopback on the local stack only)."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class HttpSender:
    """Posts deliveries over the network."""

    def __init__(self, allow_loopback: bool, timeout: float = TIMEOUT_SECONDS) -> None:
        self._allow_loopback = allow_loopback
        self._timeout = timeout

    def _connection(self, target: Target) -> http.client.HTTPConnection:
        address = str(resolve(target, self._allow_loopback))
        kind = _PinnedHttps if target.scheme == "https" else _PinnedHttp
        return kind(target.host, target.port, address, self._timeout)

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> Response:
        """POST `body`; the endpoint's answer, or why there was none (never raises). The whole
        attempt has `timeout` seconds: an endpoint that trickles its answer is cut off."""
        started = time.monotonic()

        def elapsed() -> int:
            return int((time.monotonic() - started) * 1000)

        try:
            target = target_of(url, self._allow_loopback)
            connection = self._connection(target)
        except (InvalidInput, AddressRefused) as refused:
            return Response(None, elapsed(), f"refused: {refused}")
        deadline = _Deadline(connection, self._timeout)
        try:
            connection.request("POST", target.path, body=body, headers=dict(headers))
            answer = connection.getresponse()
            answer.read(_MAX_READ)
        except (OSError, http.client.HTTPException) as error:
            if deadline.passed or isinstance(error, TimeoutError):
                return Response(None, elapsed(), "timed out")
            return Response(None, elapsed(), f"{type(error).__name__}: {error}"[:300])
        finally:
            deadline.cancel()
            connection.close()
        if deadline.passed:
            return Response(None, elapsed(), "timed out")
        return Response(answer.status, elapsed())


class _Deadline:
    """Cuts a connection's socket when its time is up (a blocked read then fails at once)."""

    def __init__(self, connection: http.client.HTTPConnection, seconds: float) -> None:
        self.passed = False
        self._connection = connection
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True
        self._timer.start()

    def _cut(self) -> None:
        self.passed = True
        sock = self._connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        """The attempt is over."""
        self._timer.cancel()
