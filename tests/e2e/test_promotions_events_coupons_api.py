"""Promotions, raw events and coupons over HTTP, with the demo catalog (starter: 50,000 API
calls a month, no SSO)."""

from datetime import datetime, timedelta

from tests.e2e.helpers import assert_error


def _subscribed(server, create_customer, plan: str = "starter") -> str:
    customer = create_customer()["id"]
    order = {"planId": plan, "currency": "USD", "trialDays": 0}
    assert server.post(f"/v1/customers/{customer}/subscription", json=order).status_code == 201
    return customer


def _now(server) -> datetime:
    return datetime.fromisoformat(server.get("/_local/clock").json()["now"].replace("Z", "+00:00"))


def test_grant_and_revoke_a_promotion(server, create_customer):
    customer = _subscribed(server, create_customer)
    path = f"/v1/customers/{customer}/promotions"

    granted = server.post(path, json={"featureId": "sso"})
    assert granted.status_code == 201, granted.text
    assert granted.json()["featureId"] == "sso"
    assert server.get(f"/v1/customers/{customer}/entitlements/sso").json()["hasAccess"]
    more = server.post(path, json={"featureId": "api-calls", "amount": 1000})
    assert more.status_code == 201
    calls = server.get(f"/v1/customers/{customer}/entitlements/api-calls").json()
    assert calls["limit"] == 50_000 + 1000

    revoked = server.delete(f"{path}/sso")
    assert revoked.status_code == 200, revoked.text
    denied = server.get(f"/v1/customers/{customer}/entitlements/sso").json()
    assert (denied["hasAccess"], denied["reason"]) == (False, "feature_not_in_plan")
    assert_error(server.delete(f"{path}/sso"), 404, "promotion_not_found")


def test_bad_grants_and_who_may_grant(server, create_customer, client_with, portal_token, uid):
    customer = _subscribed(server, create_customer)
    path = f"/v1/customers/{customer}/promotions"
    past = (_now(server) - timedelta(days=1)).isoformat()

    assert_error(server.post(path, json={"featureId": "sso", "amount": 3}), 400, field="amount")
    assert_error(
        server.post(path, json={"featureId": "api-calls", "amount": 0}), 400, field="amount"
    )
    assert_error(
        server.post(path, json={"featureId": "sso", "expiresAt": past}), 400, field="expiresAt"
    )
    assert_error(server.post(path, json={"featureId": f"nope-{uid}"}), 404, "feature_not_found")
    portal = client_with(portal_token(customer))
    assert portal.post(path, json={"featureId": "sso"}).status_code == 403


def _event(customer: str, key: str, at: datetime, **extra) -> dict:
    return {
        "customerId": customer,
        "eventName": "api-calls",
        "idempotencyKey": key,
        "timestamp": at.isoformat(),
        **extra,
    }


def test_events_are_counted_once_and_rejections_are_itemized(server, create_customer, uid):
    customer = _subscribed(server, create_customer)
    now = _now(server)
    batch = {
        "events": [
            _event(customer, "a", now),
            _event(customer, "b", now, dimensions={"quantity": 4}),
            _event(f"ghost-{uid}", "c", now),
        ]
    }

    first = server.post("/v1/events", json=batch)
    again = server.post("/v1/events", json=batch)

    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (2, 0, 1)
    assert body["items"][2]["code"] == "customer_not_found"
    assert (again.json()["accepted"], again.json()["duplicates"]) == (0, 2)
    usage = server.get(f"/v1/customers/{customer}/entitlements/api-calls").json()["usage"]
    assert usage == 1 + 4


def test_malformed_batches_are_a_400_naming_the_field(server, create_customer):
    customer = _subscribed(server, create_customer)
    now = _now(server)
    too_many = {"events": [_event(customer, f"k{i}", now) for i in range(1001)]}
    bad_time = {
        "events": [_event(customer, "a", now), {**_event(customer, "b", now), "timestamp": "x"}]
    }

    assert_error(server.post("/v1/events", json=too_many), 400, field="events")
    assert_error(server.post("/v1/events", json=bad_time), 400, field="events.1.timestamp")
    assert_error(server.post("/v1/events", json={"events": []}), 400, field="events")
    usage = server.get(f"/v1/customers/{customer}/entitlements/api-calls").json()["usage"]
    assert usage == 0


def test_coupons_are_created_once_and_discount_a_subscription(server, create_customer, uid):
    coupon = {"id": f"half-{uid}", "name": "Half off", "percentOff": 50, "duration": "once"}

    created = server.post("/v1/coupons", json=coupon)
    again = server.post("/v1/coupons", json=coupon)
    other = server.post("/v1/coupons", json={**coupon, "percentOff": 10})

    assert created.status_code == 201, created.text
    assert again.json() == created.json()
    assert_error(other, 409, "already_exists")
    assert server.get(f"/v1/coupons/half-{uid}").json()["percentOff"] == 50
    assert_error(server.get(f"/v1/coupons/none-{uid}"), 404, "coupon_not_found")
    assert_error(
        server.post("/v1/coupons", json={"id": f"x-{uid}", "name": "X", "amountOff": 100}), 400
    )

    customer = create_customer()["id"]
    order = {"planId": "starter", "currency": "USD", "trialDays": 0, "couponId": f"half-{uid}"}
    subscribed = server.post(f"/v1/customers/{customer}/subscription", json=order)
    assert subscribed.status_code == 201, subscribed.text
    assert subscribed.json()["coupon"] is None  # a once coupon is used by the first invoice
    unknown = {**order, "couponId": f"none-{uid}"}
    fresh = create_customer()["id"]
    assert_error(
        server.post(f"/v1/customers/{fresh}/subscription", json=unknown),
        422,
        "coupon_not_found",
        "couponId",
    )
