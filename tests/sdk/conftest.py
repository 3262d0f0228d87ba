"""SDK test fixtures: the SDK on the local stack, over a wire the test can watch and break."""

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from billfold_sdk import Billfold

from local.dev import LocalApi
from local.seed import attach_test_card
from tests.conftest import WORKING_CARD

Fault = int | type[httpx.TransportError] | str
"""What the wire does to one request: answer a status without sending it, raise a network
error before sending it, or "lost": send it, then lose the answer (raise ReadError)."""
LOST = "lost"


@dataclass
class Wire(httpx.BaseTransport):
    """A real HTTP transport that records every request and applies `faults` in order to the
    requests `matches` selects (every request when None)."""

    faults: list[Fault] = field(default_factory=list)
    matches: Callable[[httpx.Request], bool] | None = None
    sent: list[httpx.Request] = field(default_factory=list)
    real: httpx.HTTPTransport = field(default_factory=httpx.HTTPTransport)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.sent.append(request)
        selected = self.matches is None or self.matches(request)
        fault = self.faults.pop(0) if selected and self.faults else None
        if isinstance(fault, int):
            error = {"code": "upstream_error", "message": f"injected {fault}", "field": None}
            return httpx.Response(fault, json={"error": error}, request=request)
        if isinstance(fault, type):
            raise fault("injected network error", request=request)
        response = self.real.handle_request(request)
        if fault == LOST:
            response.read()
            response.close()
            raise httpx.ReadError("injected: the answer was lost", request=request)
        return response

    def bodies(self, path: str) -> list[dict[str, Any]]:
        """The JSON bodies of the requests sent to `path`."""
        return [json.loads(r.content) for r in self.sent if r.url.path.endswith(path)]

    def close(self) -> None:
        self.real.close()


@pytest.fixture
def wire() -> Iterator[Wire]:
    """A wire with no faults yet (append to `wire.faults`)."""
    with Wire() as opened:
        yield opened


@pytest.fixture
def sdk(local_api: LocalApi, wire: Wire) -> Iterator[Billfold]:
    """The SDK with the local stack's server key, over `wire`, retrying without a pause."""
    client = Billfold(
        local_api.server_key, local_api.url, http_client=httpx.Client(transport=wire, timeout=30)
    )
    client._transport.backoff = 0.0
    with client:
        yield client


@pytest.fixture
def subscribed(sdk: Billfold) -> Callable[..., str]:
    """A new customer (with a working card) subscribed to a plan through the SDK; its id."""

    def subscribe(plan: str = "starter", prefix: str = "sdk") -> str:
        customer_id = f"{prefix}-{uuid.uuid4().hex[:10]}"
        sdk.create_customer(
            {"id": customer_id, "email": f"{customer_id}@example.com", "name": "Acme"}
        )
        attach_test_card(customer_id, WORKING_CARD)
        sdk.create_subscription(customer_id, {"planId": plan, "currency": "USD", "trialDays": 0})
        return customer_id

    return subscribe
