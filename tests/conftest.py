"""Shared fixtures: the local stack (moto + localstripe + local gateway) on free loopback ports.

The stack starts once per test process, only when a test asks for it, so unit tests stay fast.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from local.dev import LocalApi, running_local_api
from local.servers import free_port

TEST_SERVER_KEY = "bf_sk_test_suite_key_0123456789abcdefghij"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


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
        return self.session.request(method, self.base_url + path, timeout=30, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under xdist, keep tests that share an expensive session fixture together: the CDK
    synth, and one local stack each for the integration and the e2e tests."""
    for item in items:
        parts = item.path.parts
        if "infra" in parts:
            item.add_marker(pytest.mark.xdist_group("cdk-synth"))
        elif "integration" in parts:
            item.add_marker(pytest.mark.xdist_group("local-stack-integration"))
        elif "e2e" in parts:
            item.add_marker(pytest.mark.xdist_group("local-stack-e2e"))
