"""Shared fixtures: the local stack (moto + localstripe + local gateway) on free loopback ports.

The stack starts once per test process, only when a test asks for it, so unit tests stay fast.
"""

import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import settings

from billfold_lambda import dependencies as deps

from billfold.auth.portal_tokens import mint_portal_token
from local.dev import LocalApi, running_local_api
from local.seed import attach_test_card
from local.servers import free_port

TEST_SERVER_KEY = "bf_sk_test_suite_key_0123456789abcdefghij"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


settings.register_profile("billfold", deadline=None)
settings.load_profile("billfold")
"""No deadline: a test never asserts a timing (a loaded CI machine made one case slow)."""


@pytest.fixture(scope="session")
def local_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalApi]:
    """The whole local stack with the demo catalog, as `make dev` runs it."""
    logs = tmp_path_factory.mktemp("local-stack-logs")
    with running_local_api(free_port(), TEST_SERVER_KEY, logs) as api:
        yield api


class ApiClient:
    """A tiny HTTP client for the local API: base URL and credential filled in."""

    def __init__(self, base_url: str, credential: str | None) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        if credential:
            self.session.headers["Authorization"] = f"Bearer {credential}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send a request to `path` on the local API."""
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, self.base_url + path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)


@pytest.fixture(scope="session")
def server(local_api: LocalApi) -> ApiClient:
    """A client holding the server API key."""
    return ApiClient(local_api.url, local_api.server_key)


@pytest.fixture(scope="session")
def anonymous(local_api: LocalApi) -> ApiClient:
    """A client with no credential."""
    return ApiClient(local_api.url, None)


@pytest.fixture
def portal_token(local_api: LocalApi) -> Callable[..., str]:
    """Mint a portal token for a customer, valid for `expires_in` from the test clock's now.

    Every token is a fresh string (the gateway caches policies per credential).
    """

    def mint(customer_id: str, expires_in: timedelta = timedelta(hours=1)) -> str:
        expires_at = deps.clock().now() + expires_in
        return mint_portal_token(deps.portal_signing_secret(), customer_id, expires_at)

    return mint


WORKING_CARD = "4242424242424242"


@pytest.fixture
def create_customer(server: ApiClient) -> Callable[..., dict[str, Any]]:
    """Create a customer through the API and return it; it gets a working card (as Stripe.js
    would attach one), so the billing worker's charges succeed, unless `card=None`."""

    def create(
        prefix: str = "cust", card: str | None = WORKING_CARD, **fields: Any
    ) -> dict[str, Any]:
        customer_id = f"{prefix}-{uuid.uuid4().hex[:10]}"
        body = {"id": customer_id, "email": f"{customer_id}@example.com", "name": "Acme", **fields}
        response = server.post("/v1/customers", json=body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        if card is not None:
            attach_test_card(customer_id, card)
        return created

    return create


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under xdist, keep tests that share an expensive session fixture together: the CDK
    synth, one local stack each for the integration and the e2e tests, and the browser tests
    (on whichever worker's stack they land). Tests that move the shared test clock forward run
    after the others, so the demo customer's seeded month is still current when it is read."""
    items.sort(key=lambda item: "advance_clock" in getattr(item, "fixturenames", ()))
    for item in items:
        parts = item.path.parts
        if "infra" in parts:
            item.add_marker(pytest.mark.xdist_group("cdk-synth"))
        elif "integration" in parts:
            item.add_marker(pytest.mark.xdist_group("local-stack-integration"))
        elif "e2e" in parts:
            item.add_marker(pytest.mark.xdist_group("local-stack-e2e"))
        elif "browser" in parts:
            item.add_marker(pytest.mark.xdist_group("browser"))
