"""Prepaid credits over HTTP: credit types and packs, grants, the ledger, racing consumes, a top-up
that pays and one that is declined, auto-recharge within its cap, expiry by the test clock, and
a feature that draws credits on the entitlement check and on use."""

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.conftest import ApiClient
from tests.e2e.helpers import assert_error, eventually

DECLINES_ON_CHARGE = "4000000000000341"
PACK_PRICE_USD = 1000  # 500 credits for $10.00


@pytest.fixture
def credit_type(server: ApiClient) -> str:
    type_id = f"ai-{uuid.uuid4().hex[:8]}"
    body = {
        "id": type_id,
        "name": "AI credits",
        "unit": {"singular": "credit", "plural": "credits"},
        "packs": [
            {
                "id": "small",
                "name": "Small pack",
                "credits": 500,
                "prices": [{"currency": "USD", "amount": PACK_PRICE_USD}],
            }
        ],
    }
    created = server.post("/v1/credit-types", json=body)
    assert created.status_code == 201, created.text
    return type_id


def _subscribed(server: ApiClient, create_customer: Callable[..., Any], **fields: Any) -> str:
    customer_id: str = create_customer(**fields)["id"]
    order = {"planId": "starter", "currency": "USD", "trialDays": 0}
    created = server.post(f"/v1/customers/{customer_id}/subscription", json=order)
    assert created.status_code == 201, created.text
    return customer_id


def _grant(server: ApiClient, customer: str, credit_type: str, amount: int, **terms: Any) -> Any:
    body = {"creditTypeId": credit_type, "amount": amount, "idempotencyKey": uuid.uuid4().hex}
    response = server.post(f"/v1/customers/{customer}/credit-grants", json=body | terms)
    assert response.status_code == 201, response.text
    return response.json()


def _consume(server: ApiClient, customer: str, credit_type: str, amount: int, key: str) -> Any:
    return server.post(
        f"/v1/customers/{customer}/credits/{credit_type}/consume",
        json={"amount": amount, "idempotencyKey": key},
    )


def _balance(server: ApiClient, customer: str, credit_type: str, **params: Any) -> Any:
    response = server.get(f"/v1/customers/{customer}/credits/{credit_type}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _ledger(server: ApiClient, customer: str, credit_type: str) -> list[dict[str, Any]]:
    response = server.get(f"/v1/customers/{customer}/credits/{credit_type}/ledger")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_credit_types_are_listed_with_their_packs_and_bad_packs_name_the_field(
    server: ApiClient, credit_type: str
) -> None:
    listed = server.get("/v1/credit-types", params={"limit": 100}).json()["items"]
    [mine] = [t for t in listed if t["id"] == credit_type]
    assert mine["packs"][0]["prices"] == [{"currency": "USD", "amount": PACK_PRICE_USD}]

    body = {
        "id": f"bad-{uuid.uuid4().hex[:8]}",
        "name": "Bad",
        "unit": {"singular": "credit", "plural": "credits"},
        "packs": [{"id": "p", "name": "P", "credits": 0, "prices": []}],
    }
    assert_error(
        server.post("/v1/credit-types", json=body), 400, "invalid_request", "packs.0.credits"
    )


def test_grants_and_consumes_keep_a_ledger_that_adds_up(
    server: ApiClient, create_customer: Callable[..., Any], credit_type: str
) -> None:
    customer = create_customer(card=None)["id"]
    _grant(server, customer, credit_type, 100, reference="welcome")
    consumed = _consume(server, customer, credit_type, 30, "first")
    assert consumed.status_code == 200, consumed.text
    assert (consumed.json()["amount"], consumed.json()["balanceAfter"]) == (-30, 70)

    short = _consume(server, customer, credit_type, 71, "too-much")
    assert_error(short, 422, "insufficient_credits", "amount")
    ledger = _ledger(server, customer, credit_type)
    assert [(e["kind"], e["amount"], e["balanceAfter"]) for e in ledger] == [
        ("consume", -30, 70),
        ("grant", 100, 100),
    ]
    assert _balance(server, customer, credit_type)["balance"] == 70


def test_twenty_racing_consumes_over_http_take_exactly_what_is_affordable(
    server: ApiClient, create_customer: Callable[..., Any], credit_type: str
) -> None:
    customer = create_customer(card=None)["id"]
    _grant(server, customer, credit_type, 100)

    def consume(n: int) -> Any:
        return _consume(server, customer, credit_type, 7, f"race-{n}")

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(consume, range(20)))

    statuses = [answer.status_code for answer in answers]
    assert sorted(statuses) == [200] * 14 + [422] * 6  # 14 x 7 = 98 of 100
    assert _balance(server, customer, credit_type)["balance"] == 2
    won = statuses.index(200)
    again = _consume(server, customer, credit_type, 7, f"race-{won}")  # a retry of a winner
    assert again.status_code == 200, again.text
    assert again.json()["id"] == answers[won].json()["id"]  # the same entry: counted once
    assert _balance(server, customer, credit_type)["balance"] == 2


def test_a_portal_token_reads_credits_but_cannot_grant_or_consume_them(
    client_with: Callable[[str | None], ApiClient],
    portal_token: Callable[..., str],
    server: ApiClient,
    create_customer: Callable[..., Any],
    credit_type: str,
) -> None:
    customer = create_customer(card=None)["id"]
    _grant(server, customer, credit_type, 10)
    portal = client_with(portal_token(customer))

    assert portal.get(f"/v1/customers/{customer}/credits").json()["items"][0]["balance"] == 10
    grant = {"creditTypeId": credit_type, "amount": 5, "idempotencyKey": "free"}
    assert portal.post(f"/v1/customers/{customer}/credit-grants", json=grant).status_code == 403
    assert _consume(portal, customer, credit_type, 1, "mine").status_code == 403


def test_a_paid_top_up_credits_the_pack_and_a_declined_one_leaves_the_balance(
    server: ApiClient, create_customer: Callable[..., Any], credit_type: str
) -> None:
    paying = _subscribed(server, create_customer)
    body = {"creditTypeId": credit_type, "packId": "small", "quantity": 2, "idempotencyKey": "k1"}
    bought = server.post(f"/v1/customers/{paying}/credit-purchases", json=body)

    assert bought.status_code == 201, bought.text
    purchase = bought.json()
    assert (purchase["status"], purchase["credits"], purchase["amount"]) == ("granted", 1000, 2000)
    assert _balance(server, paying, credit_type)["balance"] == 1000
    invoice = server.get(f"/v1/customers/{paying}/invoices/{purchase['invoiceId']}").json()
    assert (invoice["status"], invoice["reason"], invoice["total"]) == (
        "paid",
        "credit_purchase",
        2000,
    )
    replay = server.post(f"/v1/customers/{paying}/credit-purchases", json=body)
    assert replay.json()["id"] == purchase["id"]
    assert _balance(server, paying, credit_type)["balance"] == 1000  # credited once

    declined = _subscribed(server, create_customer, card=DECLINES_ON_CHARGE)
    refused = server.post(f"/v1/customers/{declined}/credit-purchases", json=body)
    assert refused.status_code == 201, refused.text
    assert refused.json()["status"] == "failed"
    assert refused.json()["failureMessage"]
    assert _balance(server, declined, credit_type)["balance"] == 0
    voided = server.get(f"/v1/customers/{declined}/invoices/{refused.json()['invoiceId']}")
    assert voided.json()["status"] == "void"


def test_a_feature_that_draws_credits_is_checked_and_used_against_the_balance(
    server: ApiClient, create_customer: Callable[..., Any], credit_type: str
) -> None:
    uid = uuid.uuid4().hex[:8]
    feature = {
        "id": f"images-{uid}",
        "name": "Images",
        "type": "metered",
        "unit": {"singular": "image", "plural": "images"},
    }
    assert server.post("/v1/features", json=feature).status_code == 201
    draws = {
        "featureId": feature["id"],
        "unlimited": True,
        "credits": {"creditTypeId": credit_type, "perUnit": 4},
    }
    plan = {"id": f"ai-{uid}", "name": "AI", "entitlements": [draws]}
    assert server.post("/v1/plans", json=plan).status_code == 201, "plan"
    customer = create_customer(card=None)["id"]
    order = {"planId": plan["id"], "currency": "USD"}
    assert server.post(f"/v1/customers/{customer}/subscription", json=order).status_code == 201
    _grant(server, customer, credit_type, 10)
    check = f"/v1/customers/{customer}/entitlements/{feature['id']}"

    two = server.get(check, params={"requested": 2}).json()
    three = server.get(check, params={"requested": 3}).json()
    assert (two["hasAccess"], two["credits"]) == (
        True,
        {
            "creditTypeId": credit_type,
            "perUnit": 4,
            "balance": 10,
            "required": 8,
            "affordable": True,
        },
    )
    assert (three["hasAccess"], three["reason"]) == (False, "insufficient_credits")

    used = server.post(
        f"/v1/customers/{customer}/usage/{feature['id']}/consume",
        json={"amount": 2, "idempotencyKey": "two-images"},
    )
    assert used.status_code == 200, used.text
    assert _balance(server, customer, credit_type)["balance"] == 2
    refused = server.post(
        f"/v1/customers/{customer}/usage/{feature['id']}/consume",
        json={"amount": 1, "idempotencyKey": "one-more"},
    )
    assert_error(refused, 422, "insufficient_credits")
    assert server.get(check).json()["usage"] == 2


def test_auto_recharge_buys_below_the_threshold_until_its_monthly_cap(
    server: ApiClient,
    create_customer: Callable[..., Any],
    credit_type: str,
    advance_clock: Callable[[int], str],
) -> None:
    customer = _subscribed(server, create_customer)
    _grant(server, customer, credit_type, 100)
    settings = {"threshold": 50, "packId": "small", "maxPerMonth": 1}
    saved = server.put(
        f"/v1/customers/{customer}/credits/{credit_type}/auto-recharge", json=settings
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["due"] is False

    assert _consume(server, customer, credit_type, 60, "drop-1").status_code == 200
    advance_clock(1)  # the billing run buys the pack (its worker may still be busy)
    first = eventually(lambda: _balance(server, customer, credit_type)["balance"] == 540, 180)
    assert first, _balance(server, customer, credit_type)

    assert _consume(server, customer, credit_type, 500, "drop-2").status_code == 200
    advance_clock(1)  # the month's one purchase is spent: nothing more is bought
    settled = eventually(
        lambda: not _balance(server, customer, credit_type)["autoRecharge"]["due"], 180
    )
    assert settled, _balance(server, customer, credit_type)
    state = _balance(server, customer, credit_type)
    assert state["balance"] == 40
    assert state["autoRecharge"]["purchasesThisMonth"] == 1
    assert state["autoRecharge"]["spentThisMonth"] == PACK_PRICE_USD


def test_a_declined_auto_recharge_switches_it_off_and_says_so(
    server: ApiClient,
    create_customer: Callable[..., Any],
    credit_type: str,
    advance_clock: Callable[[int], str],
) -> None:
    customer = _subscribed(server, create_customer, card=DECLINES_ON_CHARGE)
    settings = {"threshold": 50, "packId": "small"}
    path = f"/v1/customers/{customer}/credits/{credit_type}/auto-recharge"
    assert server.put(path, json=settings).json()["due"] is True  # 0 is below 50 already

    advance_clock(1)

    def switched_off() -> Any:
        recharge = _balance(server, customer, credit_type)["autoRecharge"]
        return recharge if not recharge["due"] else None

    recharge = eventually(switched_off, 180)  # the billing worker may still be busy
    assert recharge, _balance(server, customer, credit_type)
    assert (recharge["enabled"], recharge["due"]) == (False, False)
    assert recharge["disabledReason"]
    events = eventually(
        lambda: [
            e
            for e in server.get(f"/v1/customers/{customer}/events").json()["items"]
            if e["type"] == "credits.auto_recharge_failed"
        ]
    )
    assert events[0]["data"]["purchase"]["status"] == "failed"
    assert events[0]["data"]["reason"] == recharge["disabledReason"]


def test_a_grant_expires_by_the_test_clock_and_the_ledger_says_when(
    server: ApiClient,
    create_customer: Callable[..., Any],
    credit_type: str,
    advance_clock: Callable[[int], str],
) -> None:
    customer = create_customer(card=None)["id"]
    now = datetime.fromisoformat(server.get("/_local/clock").json()["now"])
    expiry = now + timedelta(minutes=5)
    _grant(server, customer, credit_type, 30, expiresAt=expiry.isoformat())
    _grant(server, customer, credit_type, 7)

    advance_clock(600)

    assert _balance(server, customer, credit_type)["balance"] == 7
    expired = eventually(lambda: _ledger(server, customer, credit_type)[0]["kind"] == "expire", 180)
    assert expired, _ledger(server, customer, credit_type)
    entry = _ledger(server, customer, credit_type)[0]
    assert (entry["amount"], entry["balanceAfter"]) == (-30, 7)
    assert datetime.fromisoformat(entry["createdAt"]) == expiry
    before = _balance(server, customer, credit_type, at=(expiry - timedelta(minutes=1)).isoformat())
    assert before["balance"] == 37


def test_auto_recharge_needs_a_pack_sold_in_the_subscriptions_currency(
    server: ApiClient, create_customer: Callable[..., Any], credit_type: str
) -> None:
    euro = create_customer(card=None)["id"]
    order = {"planId": "starter", "currency": "EUR", "trialDays": 0}
    assert server.post(f"/v1/customers/{euro}/subscription", json=order).status_code == 201
    settings = {"threshold": 50, "packId": "small"}  # priced in USD only

    refused = server.put(f"/v1/customers/{euro}/credits/{credit_type}/auto-recharge", json=settings)

    assert_error(refused, 422, "price_not_available", "currency")


def test_a_grant_expiry_without_a_time_zone_is_refused_naming_it(
    server: ApiClient, create_customer: Callable[..., Any], credit_type: str
) -> None:
    customer = create_customer(card=None)["id"]
    body = {
        "creditTypeId": credit_type,
        "amount": 5,
        "expiresAt": "2031-01-01T00:00:00",
        "idempotencyKey": "naive",
    }
    refused = server.post(f"/v1/customers/{customer}/credit-grants", json=body)
    assert_error(refused, 400, "invalid_request", "expiresAt")
    at = server.get(f"/v1/customers/{customer}/credits/{credit_type}?at=2031-01-01T00:00:00")
    assert_error(at, 400, "invalid_request", "at")
