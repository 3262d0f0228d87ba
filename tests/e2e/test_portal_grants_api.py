"""What a portal token may set, over HTTP: never a trial length, a coupon or a start date of its
choosing; the plan's trial once per customer; and promotion codes, the customer's own way to a
discount, with one answer for every code that cannot be redeemed."""

import threading
import uuid
from datetime import datetime, timedelta

import pytest

from tests.e2e.helpers import assert_error

STARTER = 1900
PRO = 4900


def _coupon(server, **terms) -> str:
    coupon_id = f"c-{uuid.uuid4().hex[:10]}"
    body = {"id": coupon_id, "name": "Deal", "duration": "forever", **terms}
    assert server.post("/v1/coupons", json=body).status_code == 201
    return coupon_id


def _code(server, coupon_id: str, **terms) -> str:
    code = f"SAVE{uuid.uuid4().hex[:8].upper()}"
    created = server.post(
        "/v1/promotion-codes", json={"code": code, "couponId": coupon_id, **terms}
    )
    assert created.status_code == 201, created.text
    return code


def _subscription(server, customer: str):
    return server.get(f"/v1/customers/{customer}/subscription")


def _now(server) -> datetime:
    return datetime.fromisoformat(server.get("/_local/clock").json()["now"])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("trialDays", 730),
        ("trialDays", 0),
        ("startAt", "2020-01-01T00:00:00Z"),
        ("couponId", "__private__"),
        ("couponId", "no-such-coupon"),
    ],
)
def test_a_portal_token_cannot_grant_itself_seller_terms(
    server, create_customer, client_with, portal_token, field, value
):
    if value == "__private__":
        value = _coupon(server, percentOff=100)
    customer = create_customer()["id"]
    portal = client_with(portal_token(customer))
    order = {"planId": "pro", "currency": "USD", field: value}

    refused = portal.post(f"/v1/customers/{customer}/subscription", json=order)

    error = assert_error(refused, 403, "seller_only_field", field)
    assert str(value) not in error["message"]  # whether a coupon exists is not told either
    assert_error(_subscription(server, customer), 404, "no_subscription")


def test_the_same_terms_are_the_sellers_to_grant(server, create_customer):
    customer = create_customer()["id"]
    coupon = _coupon(server, percentOff=50)
    order = {"planId": "starter", "currency": "USD", "trialDays": 30, "couponId": coupon}

    created = server.post(f"/v1/customers/{customer}/subscription", json=order)

    assert created.status_code == 201, created.text
    assert created.json()["status"] == "trialing"
    assert created.json()["coupon"]["discount"]["couponId"] == coupon


@pytest.fixture(scope="module")
def trial_plan(server) -> str:
    """A plan with a 14-day trial and no fallback plan: cancelling it ends the subscription."""
    plan_id = f"trial-{uuid.uuid4().hex[:8]}"
    body = {
        "id": plan_id,
        "name": "Trial",
        "trialDays": 14,
        "prices": [{"billingPeriod": "monthly", "currency": "USD", "amount": 1000}],
    }
    assert server.post("/v1/plans", json=body).status_code == 201
    return plan_id


def test_a_customer_gets_the_plans_trial_once(
    server, create_customer, client_with, portal_token, trial_plan
):
    customer = create_customer()["id"]
    portal = client_with(portal_token(customer))
    path = f"/v1/customers/{customer}/subscription"

    first = portal.post(path, json={"planId": trial_plan, "currency": "USD"})
    portal.post(f"{path}/cancel", json={"atPeriodEnd": False})
    second = portal.post(path, json={"planId": trial_plan, "currency": "USD"})

    assert first.json()["status"] == "trialing"
    assert first.json()["trialEnd"] is not None
    assert second.status_code == 201, second.text
    assert (second.json()["status"], second.json()["trialEnd"]) == ("active", None)
    assert second.json()["nextInvoice"]["date"] == second.json()["currentPeriodEnd"]


def test_the_seller_may_grant_another_trial(server, create_customer, trial_plan):
    customer = create_customer()["id"]
    path = f"/v1/customers/{customer}/subscription"
    server.post(path, json={"planId": trial_plan, "currency": "USD"})
    server.post(f"{path}/cancel", json={"atPeriodEnd": False})

    again = server.post(path, json={"planId": trial_plan, "currency": "USD", "trialDays": 7})

    assert again.json()["status"] == "trialing"


# Promotion codes


def test_the_seller_manages_codes_and_a_portal_token_cannot(
    server, client_with, portal_token, create_customer
):
    coupon = _coupon(server, percentOff=20)
    code = _code(server, coupon, maxRedemptions=10, firstTimeOnly=True)
    portal = client_with(portal_token(create_customer()["id"]))

    got = server.get(f"/v1/promotion-codes/{code.lower()}").json()
    turned_off = server.patch(f"/v1/promotion-codes/{code}", json={"active": False}).json()
    listed = [
        c["code"] for c in server.get("/v1/promotion-codes", params={"limit": 100}).json()["items"]
    ]

    assert (got["code"], got["couponId"], got["timesRedeemed"], got["active"]) == (
        code,
        coupon,
        0,
        True,
    )
    assert got["maxRedemptions"] == 10
    assert got["firstTimeOnly"] is True
    assert turned_off["active"] is False
    assert code in listed
    assert portal.get("/v1/promotion-codes").status_code == 403
    assert (
        portal.post("/v1/promotion-codes", json={"code": "MINE", "couponId": coupon}).status_code
        == 403
    )
    assert_error(
        server.post("/v1/promotion-codes", json={"code": "X1X", "couponId": "nope"}),
        400,
        field="couponId",
    )


def test_a_customer_previews_then_applies_a_code(
    server, create_customer, client_with, portal_token
):
    customer = create_customer()["id"]
    server.post(
        f"/v1/customers/{customer}/subscription",
        json={"planId": "starter", "currency": "USD", "trialDays": 0},
    )
    code = _code(server, _coupon(server, percentOff=20))
    portal = client_with(portal_token(customer))
    path = f"/v1/customers/{customer}/subscription"

    preview = portal.post(f"{path}/preview", json={"promotionCode": code.lower()})
    unchanged = server.get(path).json()
    applied = portal.patch(path, json={"promotionCode": code})
    retried = portal.patch(path, json={"promotionCode": code})

    assert preview.status_code == 200, preview.text
    assert preview.json()["nextRenewal"]["discount"] == STARTER // 5
    assert preview.json()["nextRenewal"]["amount"] == STARTER - STARTER // 5
    assert preview.json()["dueNow"] == 0
    assert unchanged["coupon"] is None
    assert applied.status_code == 200, applied.text
    assert applied.json()["subscription"]["coupon"]["promotionCode"] == code
    assert applied.json()["subscription"]["nextInvoice"]["amount"] == STARTER - STARTER // 5
    assert retried.status_code == 200, retried.text
    assert server.get(f"/v1/promotion-codes/{code}").json()["timesRedeemed"] == 1


def test_a_code_is_applied_with_a_plan_change(server, create_customer, client_with, portal_token):
    customer = create_customer()["id"]
    path = f"/v1/customers/{customer}/subscription"
    server.post(path, json={"planId": "starter", "currency": "USD", "trialDays": 0})
    code = _code(server, _coupon(server, amountOff=1000, currency="USD"))

    changed = client_with(portal_token(customer)).patch(
        path, json={"planId": "pro", "promotionCode": code}
    )

    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["subscription"]["planId"] == "pro"
    assert body["change"]["nextRenewal"]["amount"] == PRO - 1000


def _invalid(response) -> dict:
    return assert_error(response, 422, "invalid_promotion_code", "promotionCode")


def test_every_unusable_code_gets_the_same_answer(
    server, create_customer, client_with, portal_token, advance_clock
):
    coupon = _coupon(server, percentOff=10)
    used_up = _code(server, coupon, maxRedemptions=1)
    inactive = _code(server, coupon)
    server.patch(f"/v1/promotion-codes/{inactive}", json={"active": False})
    expired = _code(server, coupon, expiresAt=(_now(server) + timedelta(minutes=1)).isoformat())
    first_time = _code(server, coupon, firstTimeOnly=True)
    euro_only = _code(server, _coupon(server, amountOff=100, currency="EUR"))
    advance_clock(120)
    first = create_customer()["id"]
    create = {"planId": "starter", "currency": "USD", "trialDays": 0}
    server.post(f"/v1/customers/{first}/subscription", json={**create, "promotionCode": used_up})
    customer = create_customer()["id"]
    server.post(f"/v1/customers/{customer}/subscription", json=create)  # invoiced now
    portal = client_with(portal_token(customer))
    path = f"/v1/customers/{customer}/subscription"

    answers = [
        _invalid(portal.patch(path, json={"promotionCode": code}))
        for code in ("NOSUCHCODE", used_up, inactive, expired, first_time, euro_only)
    ]

    assert len({(a["message"], a["field"]) for a in answers}) == 1
    assert server.get(path).json()["coupon"] is None
    assert server.get(f"/v1/promotion-codes/{used_up}").json()["timesRedeemed"] == 1


def test_a_first_time_code_works_for_a_new_customer(
    server, create_customer, client_with, portal_token
):
    code = _code(server, _coupon(server, percentOff=50), firstTimeOnly=True)
    customer = create_customer()["id"]
    order = {"planId": "starter", "currency": "usd", "promotionCode": code}

    created = client_with(portal_token(customer)).post(
        f"/v1/customers/{customer}/subscription", json=order
    )

    assert created.status_code == 201, created.text
    assert created.json()["coupon"]["promotionCode"] == code


def test_a_customer_redeems_a_code_once(server, create_customer, client_with, portal_token):
    code = _code(server, _coupon(server, percentOff=10, duration="once"))
    customer = create_customer()["id"]
    path = f"/v1/customers/{customer}/subscription"
    server.post(
        path, json={"planId": "starter", "currency": "USD", "trialDays": 0, "promotionCode": code}
    )
    portal = client_with(portal_token(customer))
    portal.post(f"{path}/cancel", json={"atPeriodEnd": False})

    again = portal.post(path, json={"planId": "starter", "currency": "USD", "promotionCode": code})

    _invalid(again)


def test_the_last_redemption_goes_to_exactly_one_of_two_racing_customers(
    server, create_customer, client_with, portal_token
):
    code = _code(server, _coupon(server, percentOff=10), maxRedemptions=1)
    customers = [create_customer()["id"] for _ in range(2)]
    clients = [client_with(portal_token(c)) for c in customers]
    barrier = threading.Barrier(2)
    answers: list = [None, None]

    def subscribe(index: int) -> None:
        barrier.wait()
        answers[index] = clients[index].post(
            f"/v1/customers/{customers[index]}/subscription",
            json={"planId": "starter", "currency": "USD", "promotionCode": code},
        )

    threads = [threading.Thread(target=subscribe, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(a.status_code for a in answers) == [201, 422]
    assert server.get(f"/v1/promotion-codes/{code}").json()["timesRedeemed"] == 1
