"""Assertions shared by the end-to-end tests."""

import re
import time
from collections.abc import Callable
from typing import Any

import requests

ANY_FIELD = object()
"""Passed as `field` when a test does not pin down which field the error names."""

_CAMEL_KEY = re.compile(r"^[a-z][a-zA-Z0-9]*$")


def assert_error(
    response: requests.Response,
    status: int,
    code: str | None = None,
    field: Any = ANY_FIELD,
) -> dict[str, Any]:
    """The response is `status` with billfold's one error shape; return its `error`."""
    assert response.status_code == status, response.text
    assert response.headers.get("Content-Type", "").startswith("application/json")
    body = response.json()
    assert isinstance(body, dict)
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "field"}, error
    assert isinstance(error["code"], str)
    assert re.fullmatch(r"[a-z][a-z0-9_]*", error["code"]), error
    assert isinstance(error["message"], str)
    assert error["message"].strip()
    assert error["field"] is None or isinstance(error["field"], str)
    if code is not None:
        assert error["code"] == code, error
    if field is not ANY_FIELD:
        assert error["field"] == field, error
    return error


def camel_case_violations(document: Any, path: str = "$") -> list[str]:
    """Every key (outside free-form `metadata`) that is not lowerCamelCase."""
    found: list[str] = []
    if isinstance(document, dict):
        for key, value in document.items():
            if not _CAMEL_KEY.match(key):
                found.append(f"{path}.{key}")
            if key != "metadata":
                found += camel_case_violations(value, f"{path}.{key}")
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += camel_case_violations(value, f"{path}[{index}]")
    return found


def every_item(client: Any, path: str, limit: int = 100, **params: Any) -> list[dict[str, Any]]:
    """Page through a list route, returning every item in the order served."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {"limit": limit, **params, **({"cursor": cursor} if cursor else {})}
        response = client.get(path, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        assert set(page) == {"items", "nextCursor"}
        assert len(page["items"]) <= limit
        items += page["items"]
        cursor = page["nextCursor"]
        if cursor is None:
            return items


def eventually(check: Callable[[], Any], seconds: float = 60) -> Any:
    """Poll until `check()` is truthy (the queue workers run in the background)."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def confirm_setup_intent(client_secret: str, card_number: str) -> str:
    """Confirm a SetupIntent with a test card in localstripe, as Stripe.js does in a browser
    (no 3-D Secure step here); the SetupIntent's id."""
    from billfold_lambda import dependencies as deps

    stripe = deps.stripe_api()
    intent_id = client_secret.split("_secret_")[0]
    method = stripe.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": card_number, "exp_month": 12, "exp_year": 2031, "cvc": "123"},
        }
    )
    stripe.v1.setup_intents.confirm(intent_id, params={"payment_method": method.id})
    return intent_id
