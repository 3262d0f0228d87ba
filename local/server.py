"""The local gateway's HTTP front: the API, the test clock, and the OpenAPI document."""

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from billfold_lambda import gateway_responses
from billfold_lambda.gateway_responses import GatewayResponse

from billfold.clock import OffsetClock, isoformat
from local.events import HttpRequest
from local.gateway import HttpResponse, LocalGateway, gateway_error
from local.servers import LoopbackHTTPServer

MAX_DISCARDED_HEAD = 1 << 20
"""How much of an over-long request line and its headers is read (and dropped) before the
refusal, so that closing the connection does not reset it under the client."""

SWAGGER_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>billfold API</title>
<link rel="stylesheet" href="https://unpkg.com/swagger-ui-dist@5/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="https://unpkg.com/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "/openapi.json", dom_id: "#ui"});</script>
</body></html>"""


def _invalid(field: str | None, message: str) -> HttpResponse:
    return HttpResponse.json(
        400, {"error": {"code": "invalid_request", "message": message, "field": field}}
    )


class TestClockControl:
    """`/_local/clock`: read the test clock, or move it forward and run the billing work that
    falls due (`run_due`, the same code the scheduled billing run calls)."""

    def __init__(self, clock: OffsetClock, run_due: Callable[[], int]) -> None:
        self._clock = clock
        self._run_due = run_due

    def now(self) -> HttpResponse:
        """The test clock's time."""
        return HttpResponse.json(200, {"now": isoformat(self._clock.now())})

    def advance(self, body: bytes) -> HttpResponse:
        """Move time forward by `{seconds}` or to `{to}` (ISO 8601); never backwards."""
        try:
            request: Any = json.loads(body or b"{}")
        except ValueError:
            return HttpResponse.json(
                400,
                {
                    "error": {
                        "code": "malformed_json",
                        "message": "The body is not valid JSON.",
                        "field": None,
                    }
                },
            )
        if not isinstance(request, dict) or set(request) not in ({"seconds"}, {"to"}):
            return _invalid(None, "send exactly one of {seconds} or {to}")
        if "seconds" in request:
            seconds = request["seconds"]
            if type(seconds) is not int or seconds < 0:
                return _invalid("seconds", "seconds must be a non-negative integer")
            by = timedelta(seconds=seconds)
        else:
            try:
                target = datetime.fromisoformat(str(request["to"]).replace("Z", "+00:00"))
            except ValueError:
                return _invalid("to", "to must be an ISO 8601 timestamp")
            if target.tzinfo is None:
                return _invalid("to", "to must carry a timezone (e.g. Z)")
            by = target - self._clock.now()
            if by < timedelta():
                return _invalid("to", "the clock only moves forward")
        now = self._clock.advance(by)
        return HttpResponse.json(200, {"now": isoformat(now), "transitions": self._run_due()})


class LocalServer(LoopbackHTTPServer):
    """The HTTP server holding the gateway, the clock control and the OpenAPI document."""

    def __init__(
        self, port: int, gateway: LocalGateway, clock: TestClockControl, openapi: dict[str, Any]
    ) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.gateway = gateway
        self.clock = clock
        self.openapi = openapi


class _Handler(BaseHTTPRequestHandler):
    server: LocalServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the console for the banner and errors."""

    def __getattr__(self, name: str) -> Callable[[], None]:
        """Every method, whatever its name, goes to the gateway: one it has no route for (HEAD,
        TRACE, QUERY…) gets its route-not-found answer, as from API Gateway."""
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if url.path == "/_local/clock" and self.command == "GET":
            response = self.server.clock.now()
        elif url.path == "/_local/clock/advance" and self.command == "POST":
            response = self.server.clock.advance(body)
        elif url.path == "/openapi.json" and self.command == "GET":
            response = HttpResponse.json(200, self.server.openapi)
        elif url.path == "/docs" and self.command == "GET":
            response = HttpResponse(200, {"Content-Type": ["text/html"]}, SWAGGER_PAGE.encode())
        else:
            headers: dict[str, list[str]] = {}
            for name, value in self.headers.items():
                headers.setdefault(name, []).append(value)
            request = HttpRequest(
                method=self.command,
                path=url.path,  # routed as sent: an encoded slash stays in its segment
                query=parse_qs(url.query, keep_blank_values=True),
                headers=headers,
                body=body,
                source_ip=self.client_address[0],
            )
            response = self.server.gateway.handle(request)
        self._send(response)

    def _send(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, values in response.headers.items():
            if name.lower() != "content-length":
                for value in values:
                    self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """What http.server refuses itself (a request line over 64 KiB, a malformed request)
        gets the gateway's error shape instead of an HTML page, and closes the connection."""
        if code == HTTPStatus.REQUEST_URI_TOO_LONG:
            self._discard_head()
        self.close_connection = True
        response = gateway_error(_refusal(code), code)
        response.headers["Connection"] = ["close"]
        self._send(response)

    def _discard_head(self) -> None:
        """Read the rest of the request line and the headers (bounded), unanswered so far."""
        left = MAX_DISCARDED_HEAD
        while left > 0:
            line = self.rfile.readline(left)
            left -= len(line)
            if line in (b"", b"\r\n", b"\n"):
                return


def _refusal(status: int) -> GatewayResponse:
    if status == HTTPStatus.REQUEST_URI_TOO_LONG:
        return gateway_responses.URI_TOO_LONG
    return gateway_responses.DEFAULT_4XX if status < 500 else gateway_responses.DEFAULT_5XX
