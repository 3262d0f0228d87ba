"""End-to-end fixtures: HTTP clients on the local gateway, unique ids and the test clock."""

import uuid
from collections.abc import Callable

import pytest

from local.dev import LocalApi
from tests.conftest import ApiClient


@pytest.fixture
def uid() -> str:
    """A short unique suffix: the stack is shared by every test of the session."""
    return uuid.uuid4().hex[:10]


@pytest.fixture
def client_with(local_api: LocalApi) -> Callable[[str | None], ApiClient]:
    """A client sending `Authorization: Bearer <credential>`."""

    def make(credential: str | None) -> ApiClient:
        return ApiClient(local_api.url, credential)

    return make


@pytest.fixture
def advance_clock(server: ApiClient) -> Callable[..., str]:
    """Move the local stack's test clock forward; returns the new now."""

    def advance(seconds: int) -> str:
        # a whole billing run for every customer of the stack, with their events: not quick
        response = server.post("/_local/clock/advance", json={"seconds": seconds}, timeout=300)
        assert response.status_code == 200, response.text
        now: str = response.json()["now"]
        return now

    return advance
