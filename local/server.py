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
from local.watch import EventTap, sent_emails

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


WATCH_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>billfold: events and emails</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:70rem}
pre{background:#f4f4f5;padding:.5rem;overflow:auto;max-height:12rem}
h2{margin-top:2rem}li{margin:.5rem 0}</style></head>
<body><main><h1>billfold local: events and emails</h1>
<p>Events published on the bus and emails sent through SES, newest first (refreshed every
2 seconds).</p>
<h2>Events</h2><ol id="events"></ol><h2>Emails</h2><ol id="emails"></ol></main>
<script>
function item(title, body) {
  const li = document.createElement("li");
  const strong = document.createElement("strong");
  strong.textContent = title;
  const pre = document.createElement("pre");
  pre.tabIndex = 0;  // scrollable: reachable by keyboard
  pre.textContent = body;
  li.append(strong, pre);
  return li;
}
async function refresh() {
  const events = (await (await fetch("/_local/events")).json()).items;
  document.getElementById("events").replaceChildren(...events.map(
    e => item(`#${e.sequence} ${e.type} · ${e.customerId ?? "deployment"} · ${e.createdAt}`,
              JSON.stringify(e.data, null, 2))));
  const emails = (await (await fetch("/_local/emails")).json()).items.reverse();
  document.getElementById("emails").replaceChildren(...emails.map(
    m => item(`${m.subject} → ${m.to.join(", ")}`, m.text)));
}
refresh(); setInterval(refresh, 2000);
</script></body></html>"""


class LocalServer(LoopbackHTTPServer):
    """The HTTP server holding the gateway, the clock control, the OpenAPI document and the
    developer's view of events and emails."""

    def __init__(
        self,
        port: int,
        gateway: LocalGateway,
        clock: TestClockControl,
        openapi: dict[str, Any],
        watch: "Watch",
    ) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.gateway = gateway
        self.clock = clock
        self.openapi = openapi
        self.watch = watch


class Watch:
    """`/_local/events` and `/_local/emails`: what the bus published and SES sent."""

    def __init__(self, tap: EventTap, moto_url: str) -> None:
        self._tap = tap
        self._moto_url = moto_url

    def events(self) -> HttpResponse:
        """The recent events, newest first."""
        return HttpResponse.json(200, {"items": self._tap.recent()})

    def emails(self) -> HttpResponse:
        """Every email sent, oldest first."""
        sent = [message.as_json() for message in sent_emails(self._moto_url)]
        return HttpResponse.json(200, {"items": sent})


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
        elif url.path == "/_local/events" and self.command == "GET":
            response = self.server.watch.events()
        elif url.path == "/_local/emails" and self.command == "GET":
            response = self.server.watch.emails()
        elif url.path == "/_local" and self.command == "GET":
            response = HttpResponse(200, {"Content-Type": ["text/html"]}, WATCH_PAGE.encode())
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
