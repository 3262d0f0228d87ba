"""Cancel and resume over HTTP (the clock-driven end of the period is tested in integration,
so this file never moves the shared test clock)."""

from tests.e2e.helpers import assert_error


def _subscribed(server, create_customer) -> str:
    customer = create_customer()["id"]
    order = {"planId": "starter", "currency": "USD", "trialDays": 0}
    assert server.post(f"/v1/customers/{customer}/subscription", json=order).status_code == 201
    return customer


def test_cancel_at_period_end_by_default_and_resume(server, create_customer):
    customer = _subscribed(server, create_customer)
    path = f"/v1/customers/{customer}/subscription"

    cancelling = server.post(f"{path}/cancel")
    assert cancelling.status_code == 200, cancelling.text
    assert cancelling.json()["cancelAtPeriodEnd"] is True
    assert cancelling.json()["status"] == "active"
    assert cancelling.json()["nextInvoice"] is None
    assert server.get(f"/v1/customers/{customer}/entitlements/api-calls").json()["hasAccess"]

    resumed = server.post(f"{path}/resume")
    assert resumed.json()["cancelAtPeriodEnd"] is False
    assert resumed.json()["nextInvoice"]["amount"] == 1900


def test_cancel_now_moves_to_the_fallback_plan(server, create_customer):
    customer = _subscribed(server, create_customer)

    moved = server.post(
        f"/v1/customers/{customer}/subscription/cancel", json={"atPeriodEnd": False}
    )

    assert moved.status_code == 200, moved.text
    assert (moved.json()["status"], moved.json()["planId"]) == ("active", "free")
    check = server.get(f"/v1/customers/{customer}/entitlements/api-calls").json()
    assert (check["hasAccess"], check["limit"]) == (True, 1000)


def test_cancel_now_without_a_fallback_denies_access_and_cannot_be_resumed(server, create_customer):
    customer = create_customer()["id"]
    path = f"/v1/customers/{customer}/subscription"
    assert server.post(path, json={"planId": "free", "currency": "USD"}).status_code == 201

    canceled = server.post(f"{path}/cancel", json={"atPeriodEnd": False})
    assert canceled.json()["status"] == "canceled"
    check = server.get(f"/v1/customers/{customer}/entitlements/api-calls").json()
    assert (check["hasAccess"], check["reason"]) == (False, "subscription_canceled")
    assert_error(server.post(f"{path}/resume"), 409, "subscription_canceled")
    again = {"planId": "starter", "currency": "USD", "trialDays": 0}
    assert server.post(path, json=again).json()["planId"] == "starter"


def test_cancel_refusals(server, create_customer, uid):
    customer = create_customer()["id"]
    assert_error(
        server.post(f"/v1/customers/{customer}/subscription/cancel"), 404, "no_subscription"
    )
    assert_error(
        server.post(f"/v1/customers/nobody-{uid}/subscription/cancel"), 404, "customer_not_found"
    )
    subscribed = _subscribed(server, create_customer)
    bad = server.post(f"/v1/customers/{subscribed}/subscription/cancel", json={"atPeriodEnd": "x"})
    assert_error(bad, 400, "invalid_request", "atPeriodEnd")
