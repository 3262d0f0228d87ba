"""`make bench`: measured figures, printed (never asserted).

- cold import time of each handler module, in a fresh interpreter (what a Lambda cold start
  pays before the first request), as a ratio to the floors it is held to, measured side by side;
- how many of each layer's modules ship the runtime's bytecode;
- request latency through the local gateway (handler + moto over loopback);
- DynamoDB calls per entitlement check and usage report; a warm check beside a bare GetItem;
- a check through the SDK's direct mode, through the SDK over HTTP and a bare GetItem, side by
  side; DynamoDB calls of a direct check and consume, and of the public pricing;
- checks per second of a feature drawing prepaid credits beside a plain metered one, and
  DynamoDB calls per credit consume and per usage consume of a credit-drawing feature;
- raw-event ingestion (10,000 events) and invoice PDF rendering;
- the delay from a state change to its webhook delivery, on the local stack;
- the portal: its files' size (raw and gzipped), and how long headless Chromium takes from
  opening a portal URL to the whole page drawn, with how many API calls that makes;
- the size of the two Lambda layers, if `make synth` has built them.
"""

import gzip
import json
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from billfold_lambda import dependencies as deps
from billfold_lambda.routes import BACKGROUND_FUNCTIONS, ROUTES, ROUTES_BY_OPERATION, Needs

from billfold.usage.requests import UsageReport
from billfold.usage.service import report_usage
from local.dev import LocalApi, running_local_api
from local.events import HttpRequest, proxy_event
from local.functions import FunctionLoader
from local.lambda_context import LocalLambdaContext
from local.servers import free_port
from tests.bench_webhooks import webhook_delivery_figures

ROOT = Path(__file__).resolve().parent.parent
KEY = "bf_sk_benchmark_key_0123456789abcdefghijkl"
IMPORT_SAMPLES = 7
REQUESTS = 200


FLOOR = (
    "import boto3\n"
    "from pydantic import BaseModel\n"
    "from aws_lambda_powertools import Logger\n"
    "class Model(BaseModel):\n"
    "    value: int\n"
)
"""The floor of any Python Lambda here: the AWS SDK, pydantic, Powertools' Logger, one model."""
RESOLVER = (
    "from aws_lambda_powertools.event_handler import APIGatewayRestResolver\n"
    "APIGatewayRestResolver(enable_validation=True)\n"
)
STRIPE = "import stripe\n"
HOT_PATH = ("authorizer", "check_entitlement", "consume_usage", "report_usage", "ingest_events")
"""The functions on the seller's hot path: held to 1.2x the floor."""
STRIPE_FUNCTIONS = frozenset(
    {
        r.operation
        for r in ROUTES
        if Needs.STRIPE_SECRET in r.needs or Needs.WEBHOOK_SECRET in r.needs
    }
    | {"billing_worker", "webhook_worker"}
)
"""The functions that use Stripe's SDK: to call Stripe, or to check a webhook's signature."""


def cold_ms(code: str) -> float:
    """Wall time of running `code` in a fresh interpreter (as a Lambda cold start's init)."""
    timed = f"import time\nt = time.perf_counter()\n{code}print((time.perf_counter() - t) * 1000)\n"
    env = {
        "BILLFOLD_TABLE_NAME": "bench",
        "PYTHONPATH": str(ROOT / "layers" / "shared"),
        "PATH": "",
    }
    return float(subprocess.check_output([sys.executable, "-c", timed], env=env, text=True))


def handler_import(operation: str) -> str:
    """The code that imports a handler module, as Lambda's runtime does."""
    handler = str(ROOT / "functions" / operation / "handler.py")
    return (
        "import importlib.util, sys\n"
        f"s = importlib.util.spec_from_file_location('handler', {handler!r})\n"
        "m = importlib.util.module_from_spec(s); sys.modules['handler'] = m\n"
        "s.loader.exec_module(m)\n"
    )


def baseline(operation: str) -> tuple[str, float]:
    """What a function is measured against, and its target ratio."""
    if operation in HOT_PATH:
        return "floor", 1.2
    routed = operation in {r.operation for r in ROUTES}
    base = ("floor + resolver" if routed else "floor") + (
        " + stripe" if operation in STRIPE_FUNCTIONS else ""
    )
    return base, 1.3


def cold_start_figures() -> None:
    """Each handler's cold import beside the floors it is held to, measured side by side:
    every round runs each floor and each handler once, in fresh interpreters."""
    floors = {
        "floor": FLOOR,
        "floor + resolver": FLOOR + RESOLVER,
        "floor + stripe": FLOOR + STRIPE,
        "floor + resolver + stripe": FLOOR + RESOLVER + STRIPE,
    }
    operations = sorted({r.operation for r in ROUTES} | set(BACKGROUND_FUNCTIONS))
    samples: dict[str, list[float]] = {name: [] for name in [*floors, *operations]}
    for _ in range(IMPORT_SAMPLES):
        for name, code in floors.items():
            samples[name].append(cold_ms(code))
        for operation in operations:
            samples[operation].append(cold_ms(handler_import(operation)))
    median = {name: statistics.median(values) for name, values in samples.items()}
    print(f"cold start: fresh-interpreter import, median of {IMPORT_SAMPLES} rounds (ms)")
    for name in floors:
        print(f"  {name:<28} {median[name]:7.1f}")
    over = []
    for operation in operations:
        base, target = baseline(operation)
        ratio = median[operation] / median[base]
        mark = "" if ratio <= target else "  over"
        if mark:
            over.append(operation)
        hot = " (hot path)" if operation in HOT_PATH else ""
        print(
            f"  {operation:<28} {median[operation]:7.1f}  {ratio:4.2f}x {base}"
            f" (target {target}x){hot}{mark}"
        )
    print(f"  within target: {len(operations) - len(over)} of {len(operations)}")


def bytecode_figures() -> None:
    """How many modules of each staged layer ship the runtime's bytecode."""
    from infra import constants

    tag = constants.PYC_CACHE_TAG
    layers = ROOT / ".build" / "layers"
    for layer in sorted(p for p in layers.iterdir() if p.is_dir()) if layers.exists() else []:
        sources, compiled = list(layer.rglob("*.py")), list(layer.rglob(f"*.{tag}.pyc"))
        print(f"  {layer.name:<10} {len(sources):5} .py, {len(compiled):5} .pyc ({tag})")


def latency(session: requests.Session, url: str) -> tuple[float, float]:
    """p50 and p95 in milliseconds of GET `url`."""
    timings = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = session.get(url, timeout=10)
        timings.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
    timings.sort()
    return timings[len(timings) // 2], timings[int(len(timings) * 0.95)]


def _timed(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """p50 and p95 in milliseconds of `action`, after one warm-up call."""
    action()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return timings[len(timings) // 2], timings[int(len(timings) * 0.95)]


def counted_calls(client: Any) -> list[str]:
    """The names of the DynamoDB calls `client` makes on this thread from now on (the local
    stack's workers, the stream relay and the queues, share the client on threads of their
    own)."""
    calls: list[str] = []
    measuring = threading.get_ident()

    def count(model: Any, **_: Any) -> None:
        if threading.get_ident() == measuring:
            calls.append(model.name)

    client.meta.events.register("before-call.dynamodb", count)
    return calls


def entitlement_check_figures(api: LocalApi) -> None:
    """DynamoDB calls per check and per usage report, and a warm check through the handler
    beside the floor: a bare GetItem against the same moto server."""
    table = deps.table()
    client = table._client  # the same botocore client the handlers use
    calls = counted_calls(client)
    functions = FunctionLoader()
    check = functions.module("check_entitlement").handler
    route = ROUTES_BY_OPERATION["check_entitlement"]
    request = HttpRequest(
        "GET", "/v1/customers/demo-customer/entitlements/api-calls", {}, {}, b"", "127.0.0.1"
    )
    event = proxy_event(
        request,
        route,
        {"customerId": "demo-customer", "featureId": "api-calls"},
        "bench",
        {"credential": "server"},
    )
    context = LocalLambdaContext("check_entitlement")

    calls.clear()
    check(event, context)
    print(f"DynamoDB calls per entitlement check: {len(calls)} ({', '.join(calls)})")
    calls.clear()
    report = UsageReport(
        customer_id="demo-customer", feature_id="api-calls", value=1, idempotency_key="bench-0"
    )
    report_usage(table, report, deps.clock())
    print(f"DynamoDB calls per usage report: {len(calls)} ({', '.join(calls)})")

    p50, p95 = _timed(lambda: check(event, context), REQUESTS)
    print(f"entitlement check through the handler, warm (p50 / p95 ms): {p50:.2f} / {p95:.2f}")
    key = {"pk": {"S": "CUSTOMER#demo-customer"}, "sk": {"S": "ENT"}}
    p50, p95 = _timed(lambda: client.get_item(TableName=table.name, Key=key), REQUESTS)
    print(f"bare GetItem on the same moto server   (p50 / p95 ms): {p50:.2f} / {p95:.2f}")

    reports = 1000
    start = time.perf_counter()
    for n in range(1, reports + 1):
        report = UsageReport(
            customer_id="demo-customer",
            feature_id="api-calls",
            value=1,
            idempotency_key=f"bench-{n}",
        )
        report_usage(table, report, deps.clock())
    rate = reports / (time.perf_counter() - start)
    print(f"usage reports, one by one in-process: {rate:.0f} per second")


def sdk_check_figures(api: LocalApi) -> None:
    """One entitlement check three ways, side by side: the SDK's direct mode (one DynamoDB
    read with billfold's own code), the SDK over HTTP through the local gateway and its
    handler, and the floor, a bare GetItem; all against the same moto server."""
    from billfold_sdk import Billfold
    from billfold_sdk.direct import DirectEntitlements

    from billfold.catalog.pricing import public_pricing

    table = deps.table()
    direct = DirectEntitlements(table.name, table._client)
    calls = counted_calls(table._client)
    direct.check("demo-customer", "api-calls")
    print(f"SDK direct check: {len(calls)} DynamoDB call(s) ({', '.join(calls)})")
    calls.clear()
    direct.consume("demo-customer", "projects", 1, "bench-direct-consume")
    print(f"SDK direct consume: {len(calls)} DynamoDB call(s) ({', '.join(calls)})")
    calls.clear()
    public_pricing(table)
    print(f"public pricing (GET /v1/pricing): {len(calls)} DynamoDB call(s) ({', '.join(calls)})")
    with Billfold(api.server_key, api.url, max_retries=0) as client:
        assert (
            client.check_entitlement("demo-customer", "api-calls")["limit"]
            == direct.check("demo-customer", "api-calls")["limit"]
        )
        figures = {
            "SDK direct mode": _timed(lambda: direct.check("demo-customer", "api-calls"), REQUESTS),
            "SDK over HTTP": _timed(
                lambda: client.check_entitlement("demo-customer", "api-calls"), REQUESTS
            ),
        }
    key = {"pk": {"S": "CUSTOMER#demo-customer"}, "sk": {"S": "ENT"}}
    bare = _timed(lambda: table._client.get_item(TableName=table.name, Key=key), REQUESTS)
    figures["bare GetItem"] = bare
    print("entitlement check via the SDK, warm (p50 / p95 ms, and p50 against a bare GetItem):")
    for name, (p50, p95) in figures.items():
        print(f"  {name:<16} {p50:6.2f} / {p95:6.2f}   {p50 / bare[0]:5.2f}x")


def credit_figures() -> None:
    """Checks per second of a feature that draws prepaid credits beside a plain metered one,
    measured side by side (the same customer and plan, rounds taking turns), and DynamoDB calls
    per credit consume and per usage consume of the credit-drawing feature (counted on this
    thread only)."""
    from billfold.catalog.credit_types import CreditTypeCreate, create_credit_type
    from billfold.catalog.features import create_feature
    from billfold.catalog.models import FeatureCreate, PlanCreate
    from billfold.catalog.plans import create_plan
    from billfold.customers.models import CustomerCreate
    from billfold.customers.service import create_customer
    from billfold.prepaid.models import ConsumeCredits, GrantCreate
    from billfold.prepaid.service import consume_credits, grant_credits
    from billfold.subscriptions.creation import create_subscription
    from billfold.subscriptions.models import SubscriptionCreate
    from billfold.usage.requests import ConsumeRequest
    from billfold.usage.service import consume_usage

    table, clock = deps.table(), deps.clock()
    calls = counted_calls(table._client)  # the same botocore client the handlers use

    uid = uuid.uuid4().hex[:8]
    credit_type = f"bench-credits-{uid}"
    plain, drawing = f"bench-plain-{uid}", f"bench-drawing-{uid}"
    customer = f"bench-credits-{uid}"
    create_credit_type(
        table,
        CreditTypeCreate.model_validate(
            {
                "id": credit_type,
                "name": "Bench credits",
                "unit": {"singular": "credit", "plural": "credits"},
            }
        ),
        clock,
    )
    for feature in (plain, drawing):
        request = FeatureCreate.model_validate(
            {
                "id": feature,
                "name": feature,
                "type": "metered",
                "unit": {"singular": "unit", "plural": "units"},
            }
        )
        create_feature(table, request, clock)
    plan = {
        "id": f"bench-credits-{uid}",
        "name": "Bench credits",
        "entitlements": [
            {"featureId": plain, "unlimited": True},
            {
                "featureId": drawing,
                "unlimited": True,
                "credits": {"creditTypeId": credit_type, "perUnit": 4},
            },
        ],
    }
    create_plan(table, PlanCreate.model_validate(plan), clock)
    create_customer(
        table,
        deps.stripe_customers(),
        CustomerCreate(id=customer, email="bench@example.com", name="Bench credits"),
        clock,
    )
    order = SubscriptionCreate.model_validate({"planId": plan["id"], "currency": "USD"})
    create_subscription(table, customer, order, clock)
    grant = GrantCreate.model_validate(
        {"creditTypeId": credit_type, "amount": 10**9, "idempotencyKey": "bench-grant"}
    )
    grant_credits(table, customer, grant, clock)

    functions = FunctionLoader()
    check = functions.module("check_entitlement").handler
    route = ROUTES_BY_OPERATION["check_entitlement"]
    context = LocalLambdaContext("check_entitlement")

    def check_event(feature: str) -> dict[str, Any]:
        path = f"/v1/customers/{customer}/entitlements/{feature}"
        request = HttpRequest("GET", path, {}, {}, b"", "127.0.0.1")
        parameters = {"customerId": customer, "featureId": feature}
        return proxy_event(request, route, parameters, "bench", {"credential": "server"})

    events = {"plain metered": check_event(plain), "drawing credits": check_event(drawing)}
    for event in events.values():  # also the warm-up
        response = check(event, context)
        assert response["statusCode"] == 200, response["body"]
        assert json.loads(response["body"])["hasAccess"], response["body"]

    calls.clear()
    check(events["drawing credits"], context)
    print(
        f"DynamoDB calls per check of a credit-drawing feature: {len(calls)} ({', '.join(calls)})"
    )
    calls.clear()
    consume = ConsumeCredits(amount=1, idempotency_key="bench-consume-0")
    consume_credits(table, customer, credit_type, consume, clock)
    print(f"DynamoDB calls per credit consume: {len(calls)} ({', '.join(calls)})")
    calls.clear()
    use = ConsumeRequest(amount=1, idempotency_key="bench-usage-0")
    consume_usage(table, customer, drawing, use, clock)
    print(
        "DynamoDB calls per usage consume of a credit-drawing feature: "
        f"{len(calls)} ({', '.join(calls)})"
    )

    rounds, per_round = 5, REQUESTS
    elapsed = dict.fromkeys(events, 0.0)
    for _ in range(rounds):
        for label, event in events.items():
            start = time.perf_counter()
            for _ in range(per_round):
                check(event, context)
            elapsed[label] += time.perf_counter() - start
    rate = {label: rounds * per_round / seconds for label, seconds in elapsed.items()}
    print(
        f"entitlement checks per second through the handler, warm, side by side "
        f"({rounds} rounds of {per_round} each):"
    )
    for label in events:
        print(f"  {label:<16} {rate[label]:7.0f}")
    ratio = rate["drawing credits"] / rate["plain metered"]
    print(f"  drawing credits / plain metered: {ratio:4.2f}x")


class ItemCounter:
    """DynamoDB items read and written through one client: written items per request's
    operations, read items per key asked for (GetItem, BatchGetItem) or returned (Query)."""

    def __init__(self, client: Any) -> None:
        self.read = self.written = 0
        client.meta.events.register("before-parameter-build.dynamodb", self._before)
        client.meta.events.register("after-call.dynamodb", self._after)

    def _before(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        name = model.name
        if name == "TransactWriteItems":
            self.written += len(params["TransactItems"])
        elif name in ("PutItem", "UpdateItem", "DeleteItem"):
            self.written += 1
        elif name == "GetItem":
            self.read += 1
        elif name == "BatchGetItem":
            self.read += sum(len(t["Keys"]) for t in params["RequestItems"].values())

    def _after(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        if model.name == "Query":
            self.read += int(parsed.get("Count", 0))

    def reset(self) -> None:
        self.read = self.written = 0


def items_per_event_figures() -> None:
    """Items read and written per usage event, counted on the local stack (docs/scale.md):
    one report, and raw events in a batch of 1,000 for one customer and feature."""
    from billfold.storage.table import Table
    from billfold.usage.events import EventBatch, ingest_events

    table = Table(deps.table().name)  # its own client: the stack's workers use the shared one
    counter = ItemCounter(table._client)
    report = UsageReport(
        customer_id="demo-customer", feature_id="api-calls", value=1, idempotency_key="scale-1"
    )
    report_usage(table, report, deps.clock())
    print(
        "items per usage report: "
        f"{counter.read} read, {counter.written} written (counter and idempotency record)"
    )
    now = deps.clock().now()
    batch = EventBatch.model_validate(
        {
            "events": [
                {
                    "customerId": "demo-customer",
                    "eventName": "api-calls",
                    "idempotencyKey": f"scale-event-{n}",
                    "timestamp": now.isoformat(),
                }
                for n in range(1000)
            ]
        }
    )
    counter.reset()
    ingest_events(table, batch, now)
    print(
        "items per raw event, batch of 1,000: "
        f"{counter.read / 1000:.3f} read, {counter.written / 1000:.3f} written"
    )


def event_ingestion_figures() -> None:
    """Raw events: 10,000 in batches of 1,000 through the handler, and a retry of them all."""
    functions = FunctionLoader()
    ingest = functions.module("ingest_events").handler
    route = ROUTES_BY_OPERATION["ingest_events"]
    context = LocalLambdaContext("ingest_events")
    now = deps.clock().now().isoformat()

    def batch(start: int) -> dict[str, object]:
        body = {
            "events": [
                {
                    "customerId": "demo-customer",
                    "eventName": "api-calls",
                    "idempotencyKey": f"bench-event-{n}",
                    "timestamp": now,
                }
                for n in range(start, start + 1000)
            ]
        }
        request = HttpRequest("POST", "/v1/events", {}, {}, json.dumps(body).encode(), "127.0.0.1")
        return proxy_event(request, route, {}, "bench", {"credential": "server"})

    events = [batch(start) for start in range(0, 10_000, 1000)]
    for label in ("new", "all duplicates (a retried upload)"):
        start = time.perf_counter()
        for event in events:
            response = ingest(event, context)
            assert response["statusCode"] == 200, response["body"]
        rate = 10_000 / (time.perf_counter() - start)
        print(f"raw events, 10,000 in batches of 1,000, {label}: {rate:,.0f} per second")


def invoice_pdf_figures() -> None:
    """Rendering one invoice as a PDF, warm (the demo customer's latest invoice)."""
    from billfold.invoicing.pdf import render_invoice_pdf
    from billfold.invoicing.service import list_invoices

    [invoice], _ = list_invoices(deps.table(), "demo-customer", limit=1, cursor=None)
    p50, p95 = _timed(lambda: render_invoice_pdf(invoice), 20)
    size = len(render_invoice_pdf(invoice)) / 1000
    print(f"invoice PDF render, warm (p50 / p95 ms): {p50:.1f} / {p95:.1f} ({size:.0f} kB)")


def portal_figures(api: LocalApi) -> None:
    """The portal's weight, and its time to a fully drawn page in headless Chromium."""
    files = sorted(p for p in (ROOT / "portal").iterdir() if p.is_file())
    raw = sum(len(p.read_bytes()) for p in files)
    zipped = sum(len(gzip.compress(p.read_bytes())) for p in files)
    print(f"portal files: {raw / 1000:.1f} kB ({zipped / 1000:.1f} kB gzipped), no dependencies")
    if shutil.which("chromium") is None:
        print("portal load: install Debian's chromium (`make chromium`) to measure it")
        return
    from playwright.sync_api import Request, sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS

    session = requests.post(
        f"{api.url}/v1/portal-sessions",
        json={"customerId": "demo-customer"},
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=30,
    ).json()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        timings, calls = [], 0
        for _ in range(7):
            page = browser.new_page()
            requested: list[Request] = []

            def record(request: Request, seen: list[Request] = requested) -> None:
                seen.append(request)

            page.on("request", record)
            started = time.perf_counter()
            page.goto(session["url"])
            page.wait_for_selector("billfold-portal [data-section=invoices]")
            timings.append((time.perf_counter() - started) * 1000)
            calls = sum(1 for request in requested if "/v1/" in request.url)
            page.close()
        browser.close()
    timings = timings[1:]  # the first load warms the handlers and the browser cache
    print(
        f"portal load to fully drawn, demo customer (median of {len(timings)}, ms): "
        f"{statistics.median(timings):.0f}, with {calls} API calls in two parallel rounds"
    )


def directory_mb(path: Path) -> float:
    """Total size of the files under `path`, in MB."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def main() -> None:
    """Measure and print."""
    cold_start_figures()

    with running_local_api(free_port(), KEY, ROOT / ".build" / "bench") as api:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {KEY}"
        print(f"local gateway latency over {REQUESTS} requests (p50 / p95 ms):")
        for path in ("/v1/features/api-calls", "/v1/plans", "/v1/customers/demo-customer"):
            p50, p95 = latency(session, api.url + path)
            print(f"  GET {path:<30} {p50:6.2f} / {p95:6.2f}")

        sdk_check_figures(api)  # first: the usage reports below grow the customer's partition
        entitlement_check_figures(api)
        credit_figures()
        items_per_event_figures()
        event_ingestion_figures()
        invoice_pdf_figures()
        portal_figures(api)
        webhook_delivery_figures(api)

    layers = ROOT / ".build" / "layers"
    if layers.exists():
        print("Lambda layers (unzipped MB):")
        for layer in sorted(p for p in layers.iterdir() if p.is_dir()):
            print(f"  {layer.name:<10} {directory_mb(layer):7.1f}")
        print("Lambda layers' bytecode:")
        bytecode_figures()
    else:
        print("Lambda layers: run `make synth` first to build them")


if __name__ == "__main__":
    main()
