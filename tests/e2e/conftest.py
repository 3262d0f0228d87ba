"""End-to-end fixtures: HTTP clients on the local gateway, unique ids and portal tokens."""

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from billfold.auth.portal_tokens import mint_portal_token
from billfold_lambda import dependencies as deps
from local.dev import LocalApi
from local.seed import attach_test_card
from tests.conftest import ApiClient


@pytest.fixture
def uid() -> str:
    """A short unique suffix: the stack is shared by every test of the session."""
    return uuid.uuid4().hex[:10]


@pytest.fixture
def portal_token(local_api: LocalApi) -> Callable[..., str]:
    """Mint a portal token for a customer, valid for `expires_in` from the test clock's now.

    Every token is a fresh string (the gateway caches policies per credential).
    """

    def mint(customer_id: str, expires_in: timedelta = timedelta(hours=1)) -> str:
        expires_at = deps.clock().now() + expires_in
        return mint_portal_token(deps.portal_signing_secret(), customer_id, expires_at)

    return mint


@pytest.fixture
def client_with(local_api: LocalApi) -> Callable[[str | None], ApiClient]:
    """A client sending `Authorization: Bearer <credential>`."""

    def make(credential: str | None) -> ApiClient:
        return ApiClient(local_api.url, credential)

    return make


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


@pytest.fixture
def advance_clock(server: ApiClient) -> Callable[..., str]:
    """Move the local stack's test clock forward; returns the new now."""

    def advance(seconds: int) -> str:
        response = server.post("/_local/clock/advance", json={"seconds": seconds})
        assert response.status_code == 200, response.text
        now: str = response.json()["now"]
        return now

    return advance
