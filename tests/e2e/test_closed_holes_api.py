"""Holes found by probing the API from outside, each closed and kept closed: forged cursors,
odd Stripe webhooks, one idempotency namespace per customer, duplicate JSON keys, lowercase
currencies and the raw-event timestamp window."""

import base64
import hashlib
import hmac
import json
import time
import uuid
from datetime import datetime, timedelta

import pytest

from billfold_lambda import dependencies as deps

from billfold.storage import keys
from local.stack import webhook_signing_secret
from tests.e2e.helpers import assert_error


def _subscribed(server, create_customer) -> str:
    customer = create_customer()["id"]
    order = {"planId": "starter", "currency": "USD", "trialDays": 0}
    assert server.post(f"/v1/customers/{customer}/subscription", json=order).status_code == 201
    return customer


def _now(server) -> datetime:
    return datetime.fromisoformat(server.get("/_local/clock").json()["now"])


def _usage(server, customer: str) -> int:
    return server.get(f"/v1/customers/{customer}/entitlements/api-calls").json()["usage"]


def _raw_cursor(document: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


# Cursors


@pytest.mark.parametrize(
    "cursor",
    [_raw_cursor({"sk": ""}), _raw_cursor({"sk": "PROFILE"}), _raw_cursor({"l": "x", "k": {}})],
    ids=["empty-sort-key", "other-item", "unknown-list"],
)
def test_a_forged_cursor_from_a_portal_token_is_400_invalid_cursor(
    server, create_customer, client_with, portal_token, cursor
):
    customer = _subscribed(server, create_customer)
    portal = client_with(portal_token(customer))

    response = portal.get(f"/v1/customers/{customer}/invoices", params={"cursor": cursor})

    assert_error(response, 400, "invalid_cursor", "cursor")


def test_a_cursor_is_bound_to_the_customer_it_came_from(server, create_customer, advance_clock):
    first = _subscribed(server, create_customer)
    second = _subscribed(server, create_customer)
    advance_clock(32 * 86400)  # a renewal: each now has two invoices
    page = server.get(f"/v1/customers/{first}/invoices", params={"limit": 1}).json()
    assert page["nextCursor"]

    own = server.get(f"/v1/customers/{first}/invoices", params={"cursor": page["nextCursor"]})
    other = server.get(f"/v1/customers/{second}/invoices", params={"cursor": page["nextCursor"]})

    assert own.status_code == 200, own.text
    assert_error(other, 400, "invalid_cursor", "cursor")


def test_a_cursor_is_bound_to_the_list_it_came_from(server):
    page = server.get("/v1/plans", params={"limit": 1}).json()
    assert page["nextCursor"]

    assert_error(
        server.get("/v1/addons", params={"cursor": page["nextCursor"]}), 400, "invalid_cursor"
    )


# Stripe webhooks


def _signed(payload: bytes, at: int | None = None) -> str:
    stamp = int(time.time()) if at is None else at
    digest = hmac.new(
        webhook_signing_secret().encode(), f"{stamp}.".encode() + payload, hashlib.sha256
    )
    return f"t={stamp},v1={digest.hexdigest()}"


def _deliver(anonymous, payload: bytes, signature: str):
    headers = {"Content-Type": "application/json", "Stripe-Signature": signature}
    return anonymous.post("/v1/webhooks/stripe", data=payload, headers=headers)


def _recorded(event_id: str) -> bool:
    return deps.table().get(keys.webhook_event(event_id), consistent=True) is not None


def test_a_far_future_signature_is_refused_like_a_stale_one(anonymous):
    event_id = f"evt_{uuid.uuid4().hex}"
    payload = json.dumps(
        {"id": event_id, "type": "charge.refunded", "data": {"object": {"id": "ch_1"}}}
    ).encode()

    response = _deliver(anonymous, payload, _signed(payload, int(time.time()) + 3600))

    assert_error(response, 400, "invalid_signature", "Stripe-Signature")
    assert not _recorded(event_id)


@pytest.mark.parametrize(
    "data",
    [{}, {"object": {}}, {"object": {"id": ""}}, {"object": {"id": 7}}, {"object": "ch_1"}],
    ids=["no-object", "no-id", "empty-id", "number-id", "string-object"],
)
def test_an_event_naming_no_object_is_refused_at_the_edge(anonymous, data):
    event_id = f"evt_{uuid.uuid4().hex}"
    payload = json.dumps({"id": event_id, "type": "charge.dispute.created", "data": data})

    response = _deliver(anonymous, payload.encode(), _signed(payload.encode()))

    assert_error(response, 400, "invalid_event", "data.object.id")
    assert not _recorded(event_id)


# Idempotency keys: one namespace per customer


def _event(customer: str, key: str, at: datetime, quantity: int = 1) -> dict:
    return {
        "customerId": customer,
        "eventName": "api-calls",
        "idempotencyKey": key,
        "timestamp": at.isoformat(),
        "dimensions": {"quantity": quantity},
    }


def test_one_key_on_usage_then_events_counts_once(server, create_customer):
    customer = _subscribed(server, create_customer)
    report = {"customerId": customer, "featureId": "api-calls", "value": 3, "idempotencyKey": "k1"}

    assert server.post("/v1/usage", json=report).json()["counted"] is True
    batch = server.post("/v1/events", json={"events": [_event(customer, "k1", _now(server), 3)]})

    assert batch.json()["items"][0]["status"] == "duplicate"
    assert _usage(server, customer) == 3


def test_one_key_on_events_then_usage_counts_once(server, create_customer):
    customer = _subscribed(server, create_customer)
    server.post("/v1/events", json={"events": [_event(customer, "k2", _now(server), 2)]})
    report = {"customerId": customer, "featureId": "api-calls", "value": 2, "idempotencyKey": "k2"}

    again = server.post("/v1/usage", json=report)

    assert again.status_code == 200, again.text
    assert again.json()["counted"] is False
    assert _usage(server, customer) == 2


def test_a_key_reused_with_other_usage_is_refused_on_either_route(server, create_customer):
    customer = _subscribed(server, create_customer)
    report = {"customerId": customer, "featureId": "api-calls", "value": 1, "idempotencyKey": "k3"}
    server.post("/v1/usage", json=report)

    batch = server.post("/v1/events", json={"events": [_event(customer, "k3", _now(server), 9)]})
    reused = server.post("/v1/usage", json={**report, "value": 9})

    assert batch.json()["items"][0]["code"] == "idempotency_key_reused"
    assert_error(reused, 400, field="idempotencyKey")
    assert _usage(server, customer) == 1


def test_the_same_key_of_two_customers_counts_for_each(server, create_customer):
    first, second = (_subscribed(server, create_customer) for _ in range(2))

    for customer in (first, second):
        body = {"customerId": customer, "featureId": "api-calls", "value": 1}
        server.post("/v1/usage", json={**body, "idempotencyKey": "shared"})

    assert (_usage(server, first), _usage(server, second)) == (1, 1)


# Duplicate JSON keys


def test_a_body_with_a_key_twice_is_refused_and_counts_nothing(server, create_customer):
    customer = _subscribed(server, create_customer)
    body = (
        f'{{"customerId": "{customer}", "featureId": "api-calls", "idempotencyKey": "dup",'
        ' "value": 1, "value": 999}'
    )

    response = server.post("/v1/usage", data=body, headers={"Content-Type": "application/json"})

    assert_error(response, 400, "malformed_json", "value")
    assert _usage(server, customer) == 0


def test_a_nested_key_twice_is_refused(server, create_customer):
    customer = create_customer()["id"]
    body = '{"planId": "starter", "currency": "USD", "addons": [{"addonId": "a", "addonId": "b"}]}'

    response = server.post(
        f"/v1/customers/{customer}/subscription",
        data=body,
        headers={"Content-Type": "application/json"},
    )

    assert_error(response, 400, "malformed_json", "addonId")
    assert server.get(f"/v1/customers/{customer}/subscription").status_code == 404


# Currencies


def test_a_lowercase_currency_is_taken_and_answered_upper_case(server, create_customer):
    customer = create_customer()["id"]
    order = {"planId": "starter", "currency": "usd", "trialDays": 0}

    response = server.post(f"/v1/customers/{customer}/subscription", json=order)

    assert response.status_code == 201, response.text
    assert response.json()["currency"] == "USD"
    assert response.json()["nextInvoice"]["currency"] == "USD"


def test_a_mixed_case_coupon_currency_is_stored_upper_case(server):
    coupon = {
        "id": f"c-{uuid.uuid4().hex[:8]}",
        "name": "Five off",
        "amountOff": 500,
        "currency": "eUr",
    }

    created = server.post("/v1/coupons", json=coupon)

    assert created.status_code == 201, created.text
    assert server.get(f"/v1/coupons/{coupon['id']}").json()["currency"] == "EUR"


def test_an_unknown_currency_in_any_case_is_still_refused(server, create_customer):
    customer = create_customer()["id"]
    order = {"planId": "starter", "currency": "xyz"}

    assert_error(
        server.post(f"/v1/customers/{customer}/subscription", json=order), 400, field="currency"
    )


# The raw-event timestamp window


@pytest.mark.parametrize("timestamp", [0, "1970-01-01T00:00:00Z", "2000-01-01T00:00:00Z"], ids=str)
def test_an_event_from_long_ago_is_rejected(server, create_customer, timestamp):
    customer = _subscribed(server, create_customer)
    event = {**_event(customer, "old", _now(server)), "timestamp": timestamp}

    body = server.post("/v1/events", json={"events": [event]}).json()

    assert (body["items"][0]["status"], body["items"][0]["code"]) == (
        "rejected",
        "timestamp_too_old",
    )
    assert _usage(server, customer) == 0


def test_an_event_within_the_window_counts(server, create_customer):
    customer = _subscribed(server, create_customer)
    recent = _now(server) - timedelta(minutes=1)

    body = server.post("/v1/events", json={"events": [_event(customer, "new", recent)]}).json()

    assert body["items"][0]["status"] == "accepted"
