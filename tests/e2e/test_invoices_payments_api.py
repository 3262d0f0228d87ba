"""Invoices, cards and Stripe's webhooks over HTTP, through the local gateway, with localstripe
as Stripe and its signed webhooks delivered to the gateway."""

import hashlib
import hmac
import json
import time
from typing import Any

import requests

from billfold_lambda import dependencies as deps

from billfold.storage import keys
from local.stack import webhook_signing_secret
from tests.e2e.helpers import assert_error, eventually

DECLINES_ON_CHARGE = "4000000000000341"


def _subscribed(server, create_customer, **customer: Any) -> str:
    customer_id = create_customer(**customer)["id"]
    order = {"planId": "starter", "currency": "USD", "trialDays": 0}
    assert server.post(f"/v1/customers/{customer_id}/subscription", json=order).status_code == 201
    return customer_id


def _invoices(server, customer_id: str) -> list[dict[str, Any]]:
    response = server.get(f"/v1/customers/{customer_id}/invoices")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_a_new_subscription_is_invoiced_and_paid_with_a_pdf(server, create_customer):
    customer = _subscribed(server, create_customer)

    invoices = eventually(lambda: [i for i in _invoices(server, customer) if i["status"] == "paid"])

    [invoice] = invoices
    assert (invoice["total"], invoice["currency"], invoice["reason"]) == (
        1900,
        "USD",
        "subscription_created",
    )
    one = server.get(f"/v1/customers/{customer}/invoices/{invoice['id']}")
    assert one.json()["number"] == invoice["number"]
    link = server.get(f"/v1/customers/{customer}/invoices/{invoice['id']}/pdf")
    assert link.status_code == 200, link.text
    document = requests.get(link.json()["url"], timeout=10)
    assert document.status_code == 200
    assert document.content.startswith(b"%PDF")


def test_a_failing_card_leaves_the_invoice_open_with_the_reason_and_pay_retries(
    server, create_customer
):
    customer = _subscribed(server, create_customer, card=DECLINES_ON_CHARGE)
    [invoice] = eventually(
        lambda: [i for i in _invoices(server, customer) if i["payment"]["status"] == "failed"]
    )
    assert invoice["status"] == "open"
    assert invoice["payment"]["failureMessage"]
    subscription = f"/v1/customers/{customer}/subscription"
    # the worker records the invoice's failure first, then moves the subscription
    assert eventually(lambda: server.get(subscription).json()["status"] == "past_due")

    retried = server.post(f"/v1/customers/{customer}/invoices/{invoice['id']}/pay")

    assert retried.status_code == 200, retried.text
    assert (retried.json()["status"], retried.json()["payment"]["attempts"]) == ("open", 2)


def test_cards_list_default_and_remove(server, create_customer):
    customer = create_customer(card="4242424242424242")["id"]
    path = f"/v1/customers/{customer}/payment-methods"

    setup = server.post(f"{path}/setup-intent")
    assert setup.status_code == 201, setup.text
    assert setup.json()["clientSecret"].startswith("seti_")
    assert setup.json()["publishableKey"].startswith("pk_")
    [card] = server.get(path).json()["items"]
    assert (card["brand"], card["last4"], card["isDefault"]) == ("visa", "4242", True)

    assert_error(server.post(f"{path}/pm_notmine/default"), 404, "payment_method_not_found")
    removed = server.delete(f"{path}/{card['id']}")
    assert removed.status_code == 200, removed.text
    assert removed.json()["items"] == []


def test_void_is_server_only_and_only_for_open_invoices(
    server, create_customer, client_with, portal_token
):
    customer = _subscribed(server, create_customer)
    [invoice] = eventually(
        lambda: [i for i in _invoices(server, customer) if i["status"] == "paid"]
    )
    portal = client_with(portal_token(customer))

    assert portal.post(f"/v1/invoices/{invoice['id']}/void").status_code == 403
    assert_error(server.post(f"/v1/invoices/{invoice['id']}/void"), 409, "invoice_not_open")
    assert_error(server.post("/v1/invoices/in_0000000000000000/void"), 404, "invoice_not_found")
    assert_error(server.post("/v1/invoices/nope/void"), 400)


def test_a_portal_token_reaches_only_its_own_invoices_and_cards(
    server, create_customer, client_with, portal_token
):
    mine = _subscribed(server, create_customer)
    theirs = _subscribed(server, create_customer)
    [their_invoice] = eventually(lambda: _invoices(server, theirs))
    portal = client_with(portal_token(mine))

    assert portal.get(f"/v1/customers/{mine}/invoices").status_code == 200
    assert portal.get(f"/v1/customers/{mine}/payment-methods").status_code == 200
    for path in (
        f"/v1/customers/{theirs}/invoices",
        f"/v1/customers/{theirs}/invoices/{their_invoice['id']}/pdf",
        f"/v1/customers/{theirs}/payment-methods",
    ):
        assert portal.get(path).status_code in (403, 404), path
    assert_error(
        portal.get(f"/v1/customers/{mine}/invoices/{their_invoice['id']}"), 404, "invoice_not_found"
    )


def _signed(payload: bytes, secret: str, at: int | None = None) -> str:
    stamp = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256)
    return f"t={stamp},v1={digest.hexdigest()}"


def _post_event(anonymous, payload: bytes, signature: str | None) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return anonymous.post("/v1/webhooks/stripe", data=payload, headers=headers)


def test_webhooks_need_a_valid_signature_and_write_nothing_without_one(anonymous, uid):
    payload = json.dumps({"id": f"evt_{uid}", "type": "customer.updated", "data": {}}).encode()
    stale = int(time.time()) - 3600

    assert_error(_post_event(anonymous, payload, None), 400, "invalid_signature")
    assert_error(_post_event(anonymous, payload, _signed(payload, "whsec_other")), 400)
    assert_error(
        _post_event(anonymous, payload, _signed(payload, webhook_signing_secret(), stale)), 400
    )
    assert deps.table().get(keys.webhook_event(f"evt_{uid}"), consistent=True) is None


def test_a_signed_event_is_accepted_once(anonymous, uid):
    event = {"id": f"evt_{uid}", "type": "customer.updated", "data": {"object": {"id": "cus_1"}}}
    payload = json.dumps(event).encode()
    signature = _signed(payload, webhook_signing_secret())

    first = _post_event(anonymous, payload, signature)
    again = _post_event(anonymous, payload, signature)

    assert first.status_code == 200, first.text
    assert first.json() == {"received": True, "duplicate": False}
    assert again.json() == {"received": True, "duplicate": True}


def test_localstripes_own_signed_webhooks_reach_billfold(server, create_customer):
    customer = _subscribed(server, create_customer)
    [invoice] = eventually(
        lambda: [i for i in _invoices(server, customer) if i["status"] == "paid"]
    )
    intent = invoice["payment"]["paymentIntentId"]

    def delivered() -> bool:
        events = [keys.webhook_event(e) for e in _intent_events(intent)]
        return bool(events) and bool(deps.table().get_many(events, consistent=True))

    assert eventually(delivered)


def _intent_events(intent_id: str) -> list[str]:
    """The ids of localstripe's events about the payment intent."""
    client = deps.stripe_api()
    events = client.v1.events.list(params={"type": "payment_intent.succeeded", "limit": 100})
    return [e.id for e in events.data if e.data.object.id == intent_id]
