"""A demo of the seller's own web app, on its own loopback origin: the funnel as a seller wires
it. Its pricing page embeds <billfold-pricing-table> with the publishable key; its backend
opens checkout sessions with the server key (never in the browser); its paywall page shows
<billfold-paywall> to the demo customer with a portal token its backend asked for."""

import json
import uuid
from html import escape
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.error import HTTPError
from urllib.parse import parse_qs, quote, urlsplit
from urllib.request import Request, urlopen

from local.servers import LoopbackHTTPServer

PRICING_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme — Pricing</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="{portal}page.css">
<script src="{portal}billfold-core.js" defer></script>
<script src="{portal}billfold-widgets.js" defer></script></head>
<body><main><h1>Acme pricing</h1>
<billfold-pricing-table api-url="{api}" publishable-key="{key}" checkout-endpoint="/checkout">
</billfold-pricing-table></main></body></html>
"""

PAYWALL_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme — Upgrade</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="{portal}page.css">
<script src="{portal}billfold-core.js" defer></script>
<script src="{portal}billfold-widgets.js" defer></script></head>
<body><main><h1>Acme</h1><p>That needs a bigger plan.</p>
<billfold-paywall api-url="{api}" publishable-key="{key}" feature="{feature}" token="{token}"
  checkout-endpoint="/checkout"></billfold-paywall></main></body></html>
"""


class DemoApp(LoopbackHTTPServer):
    """The seller's app on 127.0.0.1:`port`, calling the billfold API at `api_url`."""

    def __init__(
        self, port: int, api_url: str, portal_url: str, server_key: str, publishable_key: str
    ) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.url = f"http://127.0.0.1:{port}/"
        self.api_url = api_url
        self.portal_url = portal_url
        self.server_key = server_key
        self.publishable_key = publishable_key

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        """The seller's backend calling billfold with its server key."""
        request = Request(
            self.api_url + path,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={
                "Authorization": f"Bearer {self.server_key}",
                "Content-Type": "application/json",
            },
        )
        try:
            with urlopen(request, timeout=30) as response:
                return response.status, json.load(response)
        except HTTPError as error:
            return error.code, json.load(error)

    def page(self, template: str, **values: str) -> bytes:
        """A page of the app, with billfold's API, portal origin and publishable key in it."""
        filled = {
            "api": self.api_url,
            "portal": self.portal_url,
            "key": self.publishable_key,
            **values,
        }
        return template.format(**{name: escape(value) for name, value in filled.items()}).encode()


class _Handler(BaseHTTPRequestHandler):
    server: DemoApp

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the console for the banner and errors."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/":
            self._send(200, "text/html; charset=utf-8", self.server.page(PRICING_PAGE))
            return
        if url.path == "/paywall":
            query = parse_qs(url.query)
            customer = query.get("customer", ["demo-customer"])[0]
            status, session = self.server.call(
                "POST", "/v1/portal-sessions", {"customerId": customer}
            )
            token = session.get("token", "") if status == 201 else ""
            feature = query.get("feature", ["priority-support"])[0]
            page = self.server.page(PAYWALL_PAGE, feature=feature, token=token)
            self._send(200, "text/html; charset=utf-8", page)
            return
        self._send(404, "text/plain; charset=utf-8", b"not found")

    def do_POST(self) -> None:
        if urlsplit(self.path).path != "/checkout":
            self._send(404, "text/plain; charset=utf-8", b"not found")
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            choice = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            choice = {}
        plan_id = str(choice.get("planId", ""))
        status, plan = self.server.call("GET", f"/v1/plans/{quote(plan_id, safe='')}")
        if status != 200 or not plan.get("public"):  # visitors choose among the public plans
            error = {"error": {"code": "unknown_plan", "message": "Choose a plan on the page."}}
            self._send(400, "application/json", json.dumps(error).encode())
            return
        visitor = f"visitor-{uuid.uuid4().hex[:12]}"  # a real app uses its signed-in user's id
        status, session = self.server.call(
            "POST",
            "/v1/checkout-sessions",
            {
                "customerId": visitor,
                "customer": {"email": f"{visitor}@example.com", "name": "Demo visitor"},
                "planId": plan_id,
                "billingPeriod": choice.get("billingPeriod", "monthly"),
                "currency": choice.get("currency", "USD"),
                "allowPromotionCodes": True,
            },
        )
        answer = {"url": session["url"]} if status == 201 else session
        self._send(
            200 if status == 201 else status, "application/json", json.dumps(answer).encode()
        )

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
