"""`make dev`: the whole local stack with the demo catalog, until Ctrl-C.

Environment: BILLFOLD_PORT (API port, default 8787), BILLFOLD_PORTAL_PORT (the portal page's
port, default 8788), BILLFOLD_DEV_KEY (the demo server key).
"""

import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import boto3
from billfold_sdk import Billfold

from billfold_lambda import dependencies as deps

from billfold import config
from billfold.auth.api_keys import PUBLISHABLE_KEY_PREFIX, SERVER_KEY_PREFIX, is_server_key
from billfold.clock import OffsetClock
from billfold.settlement.schedule import enqueue_due
from local.demo_app import DemoApp
from local.functions import FunctionLoader
from local.gateway import LocalGateway
from local.openapi import build_openapi
from local.portal_server import PortalServer
from local.queues import Binding, QueuePump
from local.seed import DEMO_CUSTOMER, seed_demo, seed_keys
from local.server import LocalServer, TestClockControl, Watch
from local.servers import free_port
from local.stack import LocalStack, running_stack, webhook_signing_secret
from local.streams import StreamPump
from local.usage_plan import LOCAL_USAGE_PLAN_KEY
from local.watch import EventTap

DEFAULT_PORT = 8787
DEFAULT_PORTAL_PORT = 8788
DEFAULT_DEMO_PORT = 8789
DEFAULT_DEV_KEY = SERVER_KEY_PREFIX + "local_dev_key_change_me_0123456789"
DEMO_PUBLISHABLE_KEY = PUBLISHABLE_KEY_PREFIX + "local_demo_key_safe_in_a_browser_01"
"""The local stack's publishable key (the demo pricing page uses it)."""
LOG_DIR = Path(".build/local")


@dataclass(frozen=True)
class LocalApi:
    """A running local stack: where the API listens and how to call it."""

    url: str
    server_key: str
    publishable_key: str
    stack: LocalStack
    clock: OffsetClock
    queues: QueuePump
    stream: StreamPump
    portal_url: str
    demo_app_url: str
    """The demo seller app: its pricing page, paywall and checkout backend."""


def register_stripe_webhook(stack: LocalStack, api_url: str) -> None:
    """Have localstripe deliver its (signed) events to the local gateway's webhook route."""
    body = urlencode({"url": f"{api_url}/v1/webhooks/stripe", "secret": webhook_signing_secret()})
    request = Request(f"{stack.stripe_url}/_config/webhooks/billfold", data=body.encode())
    with urlopen(request, timeout=10) as response:
        response.read()


@contextmanager
def running_local_api(
    port: int,
    server_key: str,
    log_dir: Path = LOG_DIR,
    *,
    portal_port: int | None = None,
    demo_port: int | None = None,
    demo: bool = True,
) -> Iterator[LocalApi]:
    """Start moto, localstripe, the gateway, the portal's pages, the demo seller app and the
    queue workers; seed the keys (and the demo); stop on exit."""
    with running_stack(log_dir) as stack:
        url = f"http://127.0.0.1:{port}"
        portal = PortalServer(portal_port or free_port(), url, stack.stripe_url)
        os.environ[config.ENV_PORTAL_URL] = portal.url
        os.environ[config.ENV_USAGE_PLAN_KEY] = LOCAL_USAGE_PLAN_KEY
        os.environ[config.ENV_API_URL] = url
        clock = OffsetClock()
        deps.use_clock(clock)
        for cached in (deps.settings, deps.table, deps.s3, deps.sqs, deps.branding):
            cached.cache_clear()
        functions = FunctionLoader()
        queues = stack.queues
        pump = QueuePump(
            deps.sqs(),
            functions,
            [
                Binding(queues.billing.url, queues.billing.arn, "billing_worker"),
                Binding(queues.stripe_events.url, queues.stripe_events.arn, "webhook_worker"),
                Binding(queues.fan_out.url, queues.fan_out.arn, "fan_out_webhooks"),
                Binding(queues.deliveries.url, queues.deliveries.arn, "deliver_webhooks"),
                Binding(queues.emails.url, queues.emails.arn, "send_emails"),
            ],
            scheduled=("retry_webhooks",),
        )
        stream = StreamPump(
            boto3.client("dynamodbstreams"), stack.stream_arn, functions, on_relayed=pump.wake
        )

        def billing_run() -> int:
            queued = enqueue_due(deps.table(), deps.sqs(), queues.billing.url, clock.now())
            pump.drain("billing_worker")
            return queued

        server = LocalServer(
            port,
            LocalGateway(functions),
            TestClockControl(clock, billing_run),
            build_openapi(functions),
            Watch(EventTap(deps.sqs(), queues.tap.url), stack.moto_url),
        )
        app = DemoApp(demo_port or free_port(), url, portal.url, server_key, DEMO_PUBLISHABLE_KEY)
        for running in (server, portal, app):
            running.serve_in_background()
        register_stripe_webhook(stack, url)
        seed_keys(server_key, DEMO_PUBLISHABLE_KEY, clock)
        if demo:
            with Billfold(server_key, url) as client:
                seed_demo(client, clock)
            pump.drain("billing_worker")
        pump.start()
        stream.start()
        try:
            yield LocalApi(
                url,
                server_key,
                DEMO_PUBLISHABLE_KEY,
                stack,
                clock,
                pump,
                stream,
                portal.url,
                app.url,
            )
        finally:
            stream.stop()
            pump.stop()
            for running in (server, portal, app):
                running.shutdown()
                running.server_close()


def open_portal_session(api: LocalApi, customer_id: str) -> dict[str, str]:
    """Ask the local API for a portal session, as the user's backend would."""
    request = Request(
        f"{api.url}/v1/portal-sessions",
        data=json.dumps({"customerId": customer_id}).encode(),
        headers={"Authorization": f"Bearer {api.server_key}", "Content-Type": "application/json"},
    )
    with urlopen(request, timeout=30) as response:
        session: dict[str, str] = json.load(response)
    return session


def main() -> None:
    """Run the local stack in the foreground and print how to reach it."""
    port = int(os.environ.get("BILLFOLD_PORT", DEFAULT_PORT))
    key = os.environ.get("BILLFOLD_DEV_KEY", DEFAULT_DEV_KEY)
    if not is_server_key(key):
        sys.exit(
            f"BILLFOLD_DEV_KEY must start with {SERVER_KEY_PREFIX} and have 32+ more characters"
        )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    portal_port = int(os.environ.get("BILLFOLD_PORTAL_PORT", DEFAULT_PORTAL_PORT))
    demo_port = int(os.environ.get("BILLFOLD_DEMO_PORT", DEFAULT_DEMO_PORT))
    with running_local_api(port, key, portal_port=portal_port, demo_port=demo_port) as api:
        session = open_portal_session(api, DEMO_CUSTOMER)
        print(
            f"billfold ready at {api.url}\n"
            f"  server key:  {api.server_key}\n"
            f"  try:         curl -H 'Authorization: Bearer {api.server_key}' {api.url}/v1/plans\n"
            f"  pricing page: {api.demo_app_url}  (the demo seller app: pricing table → checkout "
            "→ portal;\n"
            f"               its paywall: {api.demo_app_url}paywall)\n"
            f"  publishable key: {api.publishable_key}\n"
            f"  portal:      {session['url']}\n"
            f"               ({DEMO_CUSTOMER}, until {session['expiresAt']}; a new one: POST "
            '/v1/portal-sessions {"customerId": ...})\n'
            f"  OpenAPI:     {api.url}/openapi.json  (Swagger UI: {api.url}/docs)\n"
            f"  test clock:  {api.url}/_local/clock\n"
            f"  events, emails: {api.url}/_local  (what the bus published and SES sent)\n"
            f"  local AWS:   {api.stack.moto_url}  (moto: DynamoDB, S3, SQS, EventBridge, SES)\n"
            f"  local Stripe: {api.stack.stripe_url}  (localstripe)   logs: {LOG_DIR}/\n"
            "Ctrl-C stops everything.",
            flush=True,
        )
        stop.wait()
    print("billfold stopped", flush=True)


if __name__ == "__main__":
    main()
