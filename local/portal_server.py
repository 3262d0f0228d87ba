"""The portal's static files on their own loopback origin, as CloudFront serves them: the same
security headers, and a `config.json` that points the page at the local API and localstripe's
stand-in Stripe.js (CloudFront gets one pointing at API Gateway and Stripe's real one)."""

import json
import mimetypes
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from infra.portal_policy import PortalPolicy
from local.servers import LoopbackHTTPServer

PORTAL_DIR = Path(__file__).resolve().parent.parent / "portal"
CONFIG_PATH = "/config.json"


def portal_config(api_url: str, stripe_js_url: str) -> dict[str, str]:
    """What the standalone page reads at start: where the API and Stripe.js are."""
    return {"apiUrl": api_url, "stripeJsUrl": stripe_js_url}


class PortalServer(LoopbackHTTPServer):
    """Serves `portal/` and its `config.json` on 127.0.0.1:`port`."""

    def __init__(self, port: int, api_url: str, stripe_url: str) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        stripe_js_url = f"{stripe_url}/js.stripe.com/v3/"
        self.url = f"http://127.0.0.1:{port}/"
        self.config = json.dumps(portal_config(api_url, stripe_js_url)).encode()
        self.headers = PortalPolicy(api_url, stripe_js_url).headers()


class _Handler(BaseHTTPRequestHandler):
    server: PortalServer

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the console for the banner and errors."""

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        if path == CONFIG_PATH:
            self._send(200, "application/json", self.server.config)
            return
        file = (PORTAL_DIR / (path.lstrip("/") or "index.html")).resolve()
        if not file.is_file() or PORTAL_DIR not in file.parents:
            self._send(404, "text/plain; charset=utf-8", b"not found")
            return
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        charset = "; charset=utf-8" if kind.startswith("text/") or kind.endswith("script") else ""
        self._send(200, kind + charset, file.read_bytes())

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        for name, value in self.server.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
