"""Billing events end to end: a change through the API, the outbox, the table's stream, the
relay, the EventBridge bus (moto), the webhook fan-out and delivery queues, to a real HTTP
endpoint on loopback that checks each signature; and the emails SES (moto) sent."""

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from local.seed import attach_test_card
from tests.conftest import ApiClient
from tests.e2e.helpers import assert_error, eventually
from tests.e2e.receiver import Receiver, running_receiver

DECLINES_ON_CHARGE = "4000000000000341"


@pytest.fixture
def receiver(server, uid) -> Iterator[Receiver]:
    """A registered endpoint for every event type, removed after the test."""
    with running_receiver() as receiver:
        endpoint = {"id": f"app-{uid}", "url": receiver.url, "eventTypes": ["*"]}
        created = server.post("/v1/webhook-endpoints", json=endpoint)
        assert created.status_code == 201, created.text
        receiver.secret = created.json()["secret"]
        yield receiver
        server.delete(f"/v1/webhook-endpoints/app-{uid}")


def _subscribe(server, customer_id: str, plan: str = "starter", **order: Any) -> dict[str, Any]:
    body = {"planId": plan, "currency": "USD", "trialDays": 0, **order}
    response = server.post(f"/v1/customers/{customer_id}/subscription", json=body)
    assert response.status_code == 201, response.text
    subscription: dict[str, Any] = response.json()
    return subscription


def _types(receiver: Receiver, customer_id: str) -> list[str]:
    return [event["type"] for event in receiver.events(customer_id)]


def _emails(server, customer_id: str) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = server.get("/_local/emails").json()["items"]
    return [email for email in sent if email["to"] == [f"{customer_id}@example.com"]]


def test_an_upgrade_is_published_signed_and_in_order(server, create_customer, receiver):
    customer = create_customer()["id"]
    _subscribe(server, customer)

    upgraded = server.patch(f"/v1/customers/{customer}/subscription", json={"planId": "pro"})

    assert upgraded.status_code == 200, upgraded.text
    wanted = {"customer.created", "subscription.created", "subscription.updated"}
    assert eventually(lambda: wanted <= set(_types(receiver, customer)), 30)
    assert eventually(lambda: len(receiver.events(customer, "entitlements.updated")) >= 2, 30), (
        _types(receiver, customer)
    )
    [update] = receiver.events(customer, "subscription.updated")
    assert (update["data"]["planId"], update["apiVersion"]) == ("pro", "2026-11-29")
    latest = receiver.events(customer, "entitlements.updated")[-1]["data"]
    assert latest["entries"]["api-calls"]["limit"] == 500000
    assert receiver.verified()
    sequences = [event["sequence"] for event in receiver.events(customer)]
    assert len(set(sequences)) == len(sequences)
    log = server.get(f"/v1/customers/{customer}/events", params={"limit": 100}).json()["items"]
    by_id = {event["id"]: event for event in log}
    assert all(by_id[e["id"]]["sequence"] == e["sequence"] for e in receiver.events(customer))
    watched = server.get("/_local/events").json()["items"]  # the developer's view of the bus
    assert update["id"] in {event["id"] for event in watched}
    created, updated = (
        receiver.events(customer, kind)[0]
        for kind in ("subscription.created", "subscription.updated")
    )
    assert created["sequence"] < updated["sequence"]


def test_the_payment_method_events_follow_the_api(server, create_customer, receiver):
    customer = create_customer(card=None)["id"]
    method = attach_test_card(customer, "4242424242424242")

    removed = server.delete(f"/v1/customers/{customer}/payment-methods/{method}")

    assert removed.status_code == 200, removed.text
    [detached] = eventually(lambda: receiver.events(customer, "payment_method.detached"), 30)
    assert detached["data"] == {"id": method}


def test_usage_thresholds_are_published_once_each(server, create_customer, receiver, uid):
    customer = create_customer()["id"]
    _subscribe(server, customer, plan="free")

    def report(value: int, key: str) -> None:
        body = {
            "customerId": customer,
            "featureId": "api-calls",
            "value": value,
            "idempotencyKey": key,
        }
        assert server.post("/v1/usage", json=body).status_code == 200

    report(799, f"a-{uid}")
    report(1, f"b-{uid}")  # 800 of 1,000: 80 %
    report(1, f"b-{uid}")  # a retry: counts nothing, publishes nothing
    report(250, f"c-{uid}")  # 1,050: past 100 %

    reached = eventually(
        lambda: len(receiver.events(customer, "usage.threshold_reached")) == 2 or None, 30
    )
    assert reached, _types(receiver, customer)
    percents = [e["data"]["percent"] for e in receiver.events(customer, "usage.threshold_reached")]
    assert sorted(percents) == [80, 100]
    hundred = next(
        e
        for e in receiver.events(customer, "usage.threshold_reached")
        if e["data"]["percent"] == 100
    )
    assert (hundred["data"]["used"], hundred["data"]["limit"]) == (1050, 1000)
    report(10, f"d-{uid}")
    assert len(receiver.events(customer, "usage.threshold_reached")) == 2


def test_a_cancel_at_period_end_then_now_is_published_and_emailed(
    server, create_customer, receiver
):
    customer = create_customer()["id"]
    _subscribe(server, customer, plan="free")  # a plan with no fallback: cancel ends it
    cancel = f"/v1/customers/{customer}/subscription/cancel"

    assert server.post(cancel, json={"atPeriodEnd": True}).status_code == 200
    assert server.post(cancel, json={"atPeriodEnd": False}).status_code == 200

    assert eventually(lambda: receiver.events(customer, "subscription.canceled"), 30)
    scheduled = receiver.events(customer, "subscription.scheduled_change_created")
    assert scheduled
    assert scheduled[0]["data"]["cancelAtPeriodEnd"] is True

    def subjects() -> list[str]:
        return [e["subject"] for e in _emails(server, customer)]

    def both_sent() -> bool:
        sent = subjects()
        return any("is canceled" in s for s in sent) and any(" ends on " in s for s in sent)

    assert eventually(both_sent, 30), subjects()


def test_endpoint_urls_must_be_https_to_a_public_address(server, uid):
    def create(url: str, event_types: Any = ("*",)) -> requests.Response:
        body = {"id": f"bad-{uid}", "url": url, "eventTypes": list(event_types)}
        response: requests.Response = server.post("/v1/webhook-endpoints", json=body)
        return response

    for url in (
        "http://hooks.example.com/billfold",
        "https://169.254.169.254/latest/meta-data",
        "https://10.1.2.3/hook",
        "https://172.16.0.9/hook",
        "https://192.168.1.1/hook",
        "https://[fc00::1]/hook",
        "https://user:pass@hooks.example.com/",
    ):
        assert_error(create(url), 400, "invalid_request", "url")
    unknown_type = create("https://hooks.example.com/", ["invoice.paid", "invoice.exploded"])
    assert_error(unknown_type, 400, "invalid_request", "eventTypes.1")
    assert server.get(f"/v1/webhook-endpoints/bad-{uid}").status_code == 404


def test_endpoints_are_server_only(client_with, portal_token, create_customer):
    customer = create_customer(card=None)["id"]
    portal = client_with(portal_token(customer))

    assert portal.get("/v1/webhook-endpoints").status_code == 403
    assert portal.get(f"/v1/customers/{customer}/events").status_code == 403


def test_an_endpoint_is_created_once_rolled_disabled_and_deleted(server, uid):
    body = {
        "id": f"ops-{uid}",
        "url": "https://hooks.example.com/b",
        "eventTypes": ["invoice.paid"],
    }
    first = server.post("/v1/webhook-endpoints", json=body)
    again = server.post("/v1/webhook-endpoints", json=body)
    other = server.post("/v1/webhook-endpoints", json={**body, "description": "else"})
    path = f"/v1/webhook-endpoints/ops-{uid}"

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["secret"] == first.json()["secret"]
    assert_error(other, 409, "already_exists")
    assert "secret" not in server.get(path).json()
    rolled = server.post(f"{path}/roll-secret", json={"fromVersion": 1})
    retried = server.post(f"{path}/roll-secret", json={"fromVersion": 1})
    assert rolled.status_code == 200, rolled.text
    assert rolled.json()["secret"] != first.json()["secret"]
    assert retried.json()["secret"] == rolled.json()["secret"]
    assert_error(server.post(f"{path}/roll-secret", json={"fromVersion": 7}), 400)
    disabled = server.patch(path, json={"status": "disabled"})
    assert (disabled.json()["status"], disabled.json()["disabledReason"]) == (
        "disabled",
        "requested",
    )
    assert server.delete(path).status_code == 200
    assert_error(server.get(path), 404, "webhook_endpoint_not_found")


def test_a_failing_endpoint_is_retried_with_backoff_then_succeeds(
    server, create_customer, receiver, advance_clock
):
    receiver.answers[:] = [500] * 50
    customer = create_customer(card=None)["id"]
    endpoint = next(
        e["id"]
        for e in server.get("/v1/webhook-endpoints", params={"limit": 100}).json()["items"]
        if e["url"] == receiver.url
    )
    path = f"/v1/webhook-endpoints/{endpoint}/deliveries"

    def delivery() -> dict[str, Any] | None:
        for item in server.get(path, params={"limit": 100}).json()["items"]:
            if item["customerId"] == customer and item["eventType"] == "customer.created":
                return dict(item)
        return None

    # the delivery worker may still be busy with what earlier tests' clock moves published
    first = eventually(lambda: (d := delivery()) and d["attempts"] and d, 180)
    assert first["status"] == "pending"
    assert first["attempts"][0]["responseCode"] == 500
    assert server.get(f"/v1/webhook-endpoints/{endpoint}").json()["failingSince"]
    receiver.answers.clear()
    advance_clock(61)  # the first retry waits a minute

    done = eventually(lambda: (d := delivery()) and d["status"] == "succeeded" and d, 30)

    assert done, delivery()
    assert [a["status"] for a in done["attempts"]][-1] == "succeeded"
    assert done["attempts"][0]["status"] == "failed"
    assert receiver.events(customer, "customer.created")
    assert eventually(
        lambda: server.get(f"/v1/webhook-endpoints/{endpoint}").json()["failingSince"] is None, 30
    )
    resent = server.post(f"{path}/{done['id']}/resend")
    assert resent.status_code == 200, resent.text
    assert len(resent.json()["attempts"]) == len(done["attempts"]) + 1


def test_a_declined_renewal_emails_one_payment_failure_with_a_working_link(
    server, anonymous, create_customer, receiver, advance_clock
):
    customer = create_customer()["id"]
    _subscribe(server, customer)
    assert eventually(lambda: receiver.events(customer, "invoice.paid"), 30)
    declining = attach_test_card(customer, DECLINES_ON_CHARGE)
    made_default = server.post(f"/v1/customers/{customer}/payment-methods/{declining}/default")
    assert made_default.status_code == 200, made_default.text

    advance_clock(32 * 86400)  # every customer of the stack renews: events queue up

    assert eventually(lambda: receiver.events(customer, "invoice.payment_failed"), 180)
    assert eventually(lambda: receiver.events(customer, "subscription.past_due"), 60)
    assert receiver.events(customer, "subscription.renewed")
    failed = eventually(
        lambda: [e for e in _emails(server, customer) if "failed" in e["subject"]], 120
    )
    assert len(failed) == 1, failed
    [email] = failed
    assert "$19.00" in email["text"]
    assert "$19.00" in email["html"]
    link = next(word for word in email["text"].split() if "/v1/links/" in word)
    opened = anonymous.get(link.removeprefix(anonymous.base_url), allow_redirects=False)
    assert opened.status_code == 302, opened.text
    fragment = parse_qs(urlsplit(opened.headers["Location"]).fragment)
    assert fragment["view"] == ["payment"]
    portal_client = ApiClient(anonymous.base_url, fragment["token"][0])
    assert portal_client.get(f"/v1/customers/{customer}/subscription").status_code == 200
    forged = anonymous.get("/v1/links/bf_ln_" + "x" * 40 + ".y", allow_redirects=False)
    assert_error(forged, 401, "unauthorized")
