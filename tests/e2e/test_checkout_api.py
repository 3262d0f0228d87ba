"""Checkout over HTTP: the seller opens a session, the visitor's token sees and completes only
that session, and completing twice starts one subscription."""

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests
import stripe

from billfold_lambda import dependencies as deps

from billfold.checkout.tokens import mint_checkout_token
from local.dev import LocalApi
from tests.conftest import ApiClient
from tests.e2e.helpers import assert_error, confirm_setup_intent, eventually


def _open(server: ApiClient, uid: str, **terms: Any) -> dict[str, Any]:
    body = {
        "customerId": f"visitor-{uid}",
        "customer": {"email": f"visitor-{uid}@example.com", "name": "Visitor"},
        "planId": "starter",
        "currency": "USD",
        **terms,
    }
    response = server.post("/v1/checkout-sessions", json=body)
    assert response.status_code == 201, response.text
    session: dict[str, Any] = response.json()
    return session


def test_a_new_customer_checks_out_and_is_subscribed_once(
    server: ApiClient, client_with: Callable[[str | None], ApiClient], uid: str
) -> None:
    session = _open(server, uid, trialDays=0)
    visitor = client_with(session["token"])
    base = f"/v1/checkout-sessions/{session['id']}"

    shown = visitor.get(base)
    intent = visitor.post(f"{base}/setup-intent")
    setup_intent = confirm_setup_intent(intent.json()["clientSecret"], "4242424242424242")
    with ThreadPoolExecutor(2) as pool:
        results = list(
            pool.map(
                lambda _: visitor.post(f"{base}/complete", json={"setupIntentId": setup_intent}),
                range(2),
            )
        )

    assert shown.status_code == 200, shown.text
    quote = shown.json()["quote"]
    assert quote["dueToday"] == quote["total"] == quote["subtotal"] > 0
    assert [r.status_code for r in results] == [200, 200], [r.text for r in results]
    subscriptions = {r.json()["subscription"]["id"] for r in results}
    assert len(subscriptions) == 1
    assert results[0].json()["session"]["status"] == "complete"
    assert results[0].json()["portalUrl"].startswith("http")
    live = server.get(f"/v1/customers/visitor-{uid}/subscription").json()
    assert live["id"] in subscriptions
    assert live["planId"] == "starter"


def test_the_checkout_token_reaches_only_its_own_session(
    server: ApiClient, client_with: Callable[[str | None], ApiClient], uid: str
) -> None:
    mine = _open(server, f"{uid}-a")
    other = _open(server, f"{uid}-b")
    visitor = client_with(mine["token"])

    assert visitor.get(f"/v1/checkout-sessions/{mine['id']}").status_code == 200
    assert_error(visitor.get(f"/v1/checkout-sessions/{other['id']}"), 403, "forbidden")
    assert_error(visitor.get("/v1/plans"), 403, "forbidden")
    assert_error(visitor.get(f"/v1/customers/visitor-{uid}-a/subscription"), 403, "forbidden")


def test_the_pricing_route_takes_a_publishable_key_and_shows_only_public_plans(
    local_api: LocalApi, client_with: Callable[[str | None], ApiClient]
) -> None:
    public = client_with(local_api.publishable_key)

    pricing = public.get("/v1/pricing")

    assert pricing.status_code == 200, pricing.text
    plans = {plan["id"]: plan for plan in pricing.json()["plans"]}
    assert {"free", "starter", "pro"} <= set(plans)
    assert plans["pro"]["includesPlanId"] == "starter"
    assert_error(public.get("/v1/plans"), 403, "forbidden")
    assert_error(public.post("/v1/checkout-sessions", json={}), 403, "forbidden")


STARTER_USD = 1900
DECLINED_AT_SETUP = "4000000000000002"


def _coupon_code(server: ApiClient, uid: str, percent_off: int = 20) -> str:
    """A forever coupon of `percentOff` and a promotion code for it."""
    coupon = {
        "id": f"checkout-{uid}",
        "name": f"{percent_off} off",
        "percentOff": percent_off,
        "duration": "forever",
    }
    assert server.post("/v1/coupons", json=coupon).status_code == 201
    code = f"CO{uid.upper()}"
    created = server.post("/v1/promotion-codes", json={"code": code, "couponId": coupon["id"]})
    assert created.status_code == 201, created.text
    return code


def _card(visitor: ApiClient, base: str, number: str = "4242424242424242") -> str:
    intent = visitor.post(f"{base}/setup-intent")
    assert intent.status_code == 201, intent.text
    return confirm_setup_intent(intent.json()["clientSecret"], number)


def _visitor(
    server: ApiClient, client_with: Callable[[str | None], ApiClient], uid: str, **terms: Any
) -> tuple[dict[str, Any], ApiClient, str]:
    """An open session, a client holding its token and the session's path."""
    session = _open(server, uid, **terms)
    return session, client_with(session["token"]), f"/v1/checkout-sessions/{session['id']}"


def _nothing_started(server: ApiClient, customer_id: str) -> None:
    """The customer has no subscription and no card."""
    assert_error(server.get(f"/v1/customers/{customer_id}/subscription"), 404)
    cards = server.get(f"/v1/customers/{customer_id}/payment-methods")
    assert cards.status_code == 200, cards.text
    assert cards.json()["items"] == []


def test_an_allowed_promotion_code_is_quoted_and_kept_on_the_subscription(
    server: ApiClient, client_with: Callable[[str | None], ApiClient], uid: str
) -> None:
    code = _coupon_code(server, uid, percent_off=20)
    session, visitor, base = _visitor(
        server, client_with, uid, trialDays=0, allowPromotionCodes=True
    )

    plain = visitor.get(base)
    quoted = visitor.get(base, params={"promotionCode": code.lower()})
    setup_intent = _card(visitor, base)
    done = visitor.post(
        f"{base}/complete", json={"setupIntentId": setup_intent, "promotionCode": code}
    )

    assert plain.status_code == quoted.status_code == 200, (plain.text, quoted.text)
    assert plain.json()["quote"]["discount"] == 0
    quote = quoted.json()["quote"]
    assert (quote["subtotal"], quote["discount"], quote["total"]) == (STARTER_USD, 380, 1520)
    assert quote["dueToday"] == 1520
    assert (quote["promotionCode"], quote["couponName"]) == (code, "20 off")
    assert done.status_code == 200, done.text
    assert done.json()["session"]["promotionCode"] == code
    assert done.json()["subscription"]["coupon"]["promotionCode"] == code
    live = server.get(f"/v1/customers/{session['customerId']}/subscription").json()
    assert live["coupon"]["promotionCode"] == code
    assert live["coupon"]["discount"]["percentOff"] == 20
    assert server.get(f"/v1/promotion-codes/{code}").json()["timesRedeemed"] == 1


def test_a_code_on_a_checkout_that_takes_none_is_403_and_keeps_nothing(
    server: ApiClient, client_with: Callable[[str | None], ApiClient], uid: str
) -> None:
    code = _coupon_code(server, uid)
    session, visitor, base = _visitor(server, client_with, uid, trialDays=0)

    quoted = visitor.get(base, params={"promotionCode": code})
    setup_intent = _card(visitor, base)
    refused = visitor.post(
        f"{base}/complete", json={"setupIntentId": setup_intent, "promotionCode": code}
    )

    assert_error(quoted, 403, "promotion_codes_not_allowed", "promotionCode")
    assert_error(refused, 403, "promotion_codes_not_allowed", "promotionCode")
    _nothing_started(server, session["customerId"])
    assert server.get(f"/v1/promotion-codes/{code}").json()["timesRedeemed"] == 0
    still = visitor.get(base)
    assert still.status_code == 200, still.text
    assert (still.json()["session"]["status"], still.json()["session"]["promotionCode"]) == (
        "open",
        None,
    )


def test_an_invalid_code_is_refused_naming_the_promotion_code(
    server: ApiClient, client_with: Callable[[str | None], ApiClient], uid: str
) -> None:
    session, visitor, base = _visitor(
        server, client_with, uid, trialDays=0, allowPromotionCodes=True
    )

    unknown = visitor.get(base, params={"promotionCode": f"NOPE{uid}"})
    malformed = visitor.get(base, params={"promotionCode": "no!"})
    setup_intent = _card(visitor, base)
    refused = visitor.post(
        f"{base}/complete", json={"setupIntentId": setup_intent, "promotionCode": f"NOPE{uid}"}
    )

    assert_error(unknown, 422, "invalid_promotion_code", "promotionCode")
    assert_error(malformed, 400, field="promotionCode")
    assert_error(refused, 422, "invalid_promotion_code", "promotionCode")
    assert_error(server.get(f"/v1/customers/{session['customerId']}/subscription"), 404)
    assert visitor.get(base).json()["session"]["status"] == "open"


def test_a_trial_charges_nothing_today_but_still_needs_a_card_for_what_follows(
    server: ApiClient, client_with: Callable[[str | None], ApiClient], uid: str
) -> None:
    session, visitor, base = _visitor(server, client_with, uid, trialDays=14)

    shown = visitor.get(base)
    cardless = visitor.post(f"{base}/complete", json={})
    setup_intent = _card(visitor, base)
    done = visitor.post(f"{base}/complete", json={"setupIntentId": setup_intent})

    assert shown.status_code == 200, shown.text
    quote = shown.json()["quote"]
    assert (quote["dueToday"], quote["total"], quote["trialDays"]) == (0, STARTER_USD, 14)
    created = datetime.fromisoformat(session["createdAt"])
    trial_end = datetime.fromisoformat(quote["trialEnd"])
    assert timedelta(days=14) <= trial_end - created < timedelta(days=14, minutes=1)
    assert quote["firstChargeAt"] == quote["trialEnd"]
    assert_error(cardless, 400, "payment_method_required", "setupIntentId")
    assert done.status_code == 200, done.text
    subscription = done.json()["subscription"]
    assert subscription["status"] == "trialing"
    trial_ends = datetime.fromisoformat(subscription["trialEnd"])  # 14 days from completing
    assert timedelta(0) <= trial_ends - trial_end < timedelta(minutes=1)
    cards = server.get(f"/v1/customers/{session['customerId']}/payment-methods").json()["items"]
    assert len(cards) == 1


def test_a_checkout_that_never_charges_completes_without_a_card(
    server: ApiClient, client_with: Callable[[str | None], ApiClient], uid: str
) -> None:
    session, visitor, base = _visitor(server, client_with, uid, planId="free", trialDays=0)

    shown = visitor.get(base)
    done = visitor.post(f"{base}/complete", json={})

    assert shown.json()["quote"]["total"] == 0, shown.text
    assert done.status_code == 200, done.text
    assert done.json()["subscription"]["planId"] == "free"
    assert (
        server.get(f"/v1/customers/{session['customerId']}/payment-methods").json()["items"] == []
    )


def test_a_card_declined_at_setup_starts_nothing_and_saves_nothing(
    server: ApiClient, client_with: Callable[[str | None], ApiClient], uid: str
) -> None:
    session, visitor, base = _visitor(server, client_with, uid, trialDays=0)
    intent = visitor.post(f"{base}/setup-intent").json()

    with pytest.raises(stripe.StripeError) as declined:
        confirm_setup_intent(intent["clientSecret"], DECLINED_AT_SETUP)
    refused = visitor.post(
        f"{base}/complete", json={"setupIntentId": intent["clientSecret"].split("_secret_")[0]}
    )

    assert declined.value.http_status == 402
    assert 400 <= refused.status_code < 500, refused.text
    assert_error(refused, refused.status_code, field="setupIntentId")
    _nothing_started(server, session["customerId"])
    assert visitor.get(base).json()["session"]["status"] == "open"


def test_a_card_whose_charge_is_declined_keeps_nothing_and_another_card_pays(
    server: ApiClient, client_with: Callable[[str | None], ApiClient], uid: str
) -> None:
    session, visitor, base = _visitor(server, client_with, uid, trialDays=0)
    declined = _card(visitor, base, "4000000000000341")  # saved by Stripe, declined on charge

    refused = visitor.post(f"{base}/complete", json={"setupIntentId": declined})
    after_decline = visitor.get(base)
    _nothing_started(server, session["customerId"])
    paying = _card(visitor, base)
    completed = visitor.post(f"{base}/complete", json={"setupIntentId": paying})

    error = assert_error(refused, 402, "card_declined", "setupIntentId")
    assert "declined" in error["message"].lower()
    assert after_decline.json()["session"]["status"] == "open"
    assert completed.status_code == 200, completed.text
    cards = server.get(f"/v1/customers/{session['customerId']}/payment-methods").json()["items"]
    assert [card["last4"] for card in cards] == ["4242"]


def test_a_session_naming_its_codes_takes_only_those(
    server: ApiClient, client_with: Callable[[str | None], ApiClient], uid: str
) -> None:
    named = _coupon_code(server, f"{uid}-named")
    other = _coupon_code(server, f"{uid}-other")
    _, visitor, base = _visitor(
        server,
        client_with,
        uid,
        trialDays=0,
        allowPromotionCodes=True,
        allowedPromotionCodes=[named.lower()],
    )

    taken = visitor.get(base, params={"promotionCode": named})
    refused = visitor.get(base, params={"promotionCode": other})
    without_allow = server.post(
        "/v1/checkout-sessions",
        json={
            "customerId": f"visitor-{uid}-x",
            "customer": {"email": f"x-{uid}@example.com", "name": "X"},
            "planId": "starter",
            "currency": "USD",
            "allowedPromotionCodes": [named],
        },
    )

    assert taken.status_code == 200, taken.text
    assert taken.json()["quote"]["discount"] > 0
    assert_error(refused, 403, "promotion_codes_not_allowed", "promotionCode")
    assert_error(without_allow, 400, "invalid_request")


def test_a_first_charge_made_free_by_a_code_still_collects_a_card_for_the_later_ones(
    server: ApiClient, client_with: Callable[[str | None], ApiClient], uid: str
) -> None:
    coupon = {"id": f"free-month-{uid}", "name": "Free month", "percentOff": 100}
    assert server.post("/v1/coupons", json=coupon).status_code == 201
    code = f"FREE{uid.upper()}"
    created = server.post("/v1/promotion-codes", json={"code": code, "couponId": coupon["id"]})
    assert created.status_code == 201, created.text
    _, visitor, base = _visitor(server, client_with, uid, trialDays=0, allowPromotionCodes=True)

    quote = visitor.get(base, params={"promotionCode": code}).json()["quote"]
    without_card = visitor.post(f"{base}/complete", json={"promotionCode": code})

    assert (quote["dueToday"], quote["needsPaymentMethod"]) == (0, True)
    assert_error(without_card, 400, "payment_method_required", "setupIntentId")


def test_a_price_changed_since_it_was_shown_is_refused_before_any_charge(
    server: ApiClient, client_with: Callable[[str | None], ApiClient], uid: str
) -> None:
    _, visitor, base = _visitor(server, client_with, uid, trialDays=0)
    shown = visitor.get(base).json()["quote"]["dueToday"]
    setup_intent = _card(visitor, base)

    stale = visitor.post(
        f"{base}/complete", json={"setupIntentId": setup_intent, "expectedDueToday": shown - 1}
    )
    current = visitor.post(
        f"{base}/complete", json={"setupIntentId": setup_intent, "expectedDueToday": shown}
    )

    assert_error(stale, 409, "quote_changed", "expectedDueToday")
    assert current.status_code == 200, current.text


def test_a_session_takes_no_more_cards_after_three_declines(
    server: ApiClient, client_with: Callable[[str | None], ApiClient], uid: str
) -> None:
    session, visitor, base = _visitor(server, client_with, uid, trialDays=0)

    answers = [
        visitor.post(
            f"{base}/complete",
            json={"setupIntentId": _card(visitor, base, "4000000000000341")},
        )
        for _ in range(4)
    ]
    good = visitor.post(f"{base}/complete", json={"setupIntentId": _card(visitor, base)})

    assert [a.status_code for a in answers[:3]] == [402, 402, 402]
    assert_error(answers[3], 422, "checkout_locked", "setupIntentId")
    assert_error(good, 422, "checkout_locked", "setupIntentId")
    _nothing_started(server, session["customerId"])


def _invoices(server: ApiClient, customer_id: str) -> list[dict[str, Any]]:
    response = server.get(f"/v1/customers/{customer_id}/invoices")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_a_double_submit_starts_one_subscription_billed_once(
    local_api: LocalApi,
    server: ApiClient,
    client_with: Callable[[str | None], ApiClient],
    uid: str,
) -> None:
    session, visitor, base = _visitor(server, client_with, uid, trialDays=0)
    setup_intent = _card(visitor, base)

    with ThreadPoolExecutor(4) as pool:
        results = list(
            pool.map(
                lambda _: visitor.post(f"{base}/complete", json={"setupIntentId": setup_intent}),
                range(4),
            )
        )
    customer = session["customerId"]
    paid = eventually(
        lambda: [i for i in _invoices(server, customer) if i["status"] == "paid"], 180
    )
    local_api.queues.drain("billing_worker")

    assert [r.status_code for r in results] == [200] * 4, [r.text for r in results]
    assert len({r.json()["subscription"]["id"] for r in results}) == 1
    assert paid, _invoices(server, customer)
    invoices = _invoices(server, customer)
    assert len(invoices) == 1, invoices
    assert invoices[0]["total"] == STARTER_USD
    cards = server.get(f"/v1/customers/{customer}/payment-methods").json()["items"]
    assert len(cards) == 1


def test_a_double_submit_with_a_promotion_code_starts_one_discounted_subscription(
    server: ApiClient, client_with: Callable[[str | None], ApiClient], uid: str
) -> None:
    code = _coupon_code(server, uid)
    session, visitor, base = _visitor(
        server, client_with, uid, trialDays=0, allowPromotionCodes=True
    )
    setup_intent = _card(visitor, base)
    body = {"setupIntentId": setup_intent, "promotionCode": code}

    def submit(click: int) -> requests.Response:
        time.sleep(click * 0.04)  # clicks a few tens of milliseconds apart
        return client_with(session["token"]).post(f"{base}/complete", json=body)

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(submit, range(6)))

    assert [r.status_code for r in results] == [200] * 6, [r.text for r in results]
    assert len({r.json()["subscription"]["id"] for r in results}) == 1
    assert server.get(f"/v1/promotion-codes/{code}").json()["timesRedeemed"] == 1
    live = server.get(f"/v1/customers/{session['customerId']}/subscription").json()
    assert live["coupon"]["promotionCode"] == code


def test_completing_again_answers_the_same_subscription(
    server: ApiClient, client_with: Callable[[str | None], ApiClient], uid: str
) -> None:
    session, visitor, base = _visitor(server, client_with, uid, trialDays=0)
    setup_intent = _card(visitor, base)

    first = visitor.post(f"{base}/complete", json={"setupIntentId": setup_intent})
    again = visitor.post(f"{base}/complete", json={"setupIntentId": setup_intent})
    bare = visitor.post(f"{base}/complete", json={})
    shown = visitor.get(base)
    another_intent = visitor.post(f"{base}/setup-intent")

    assert first.status_code == again.status_code == bare.status_code == 200, first.text
    subscription = first.json()["subscription"]["id"]
    assert again.json()["subscription"]["id"] == bare.json()["subscription"]["id"] == subscription
    assert again.json()["session"] == first.json()["session"]
    assert shown.json()["session"]["status"] == "complete"
    assert shown.json()["session"]["subscriptionId"] == subscription
    assert_error(another_intent, 409)
    assert server.get(f"/v1/customers/{session['customerId']}/subscription").json()["id"] == (
        subscription
    )


def test_the_same_idempotency_key_answers_the_same_session_and_refuses_other_terms(
    server: ApiClient, client_with: Callable[[str | None], ApiClient], uid: str
) -> None:
    key = f"checkout-{uid}"

    first = _open(server, uid, idempotencyKey=key)
    again = _open(server, uid, idempotencyKey=key)
    other = server.post(
        "/v1/checkout-sessions",
        json={
            "customerId": f"other-{uid}",
            "customer": {"email": f"other-{uid}@example.com", "name": "Other"},
            "planId": "pro",
            "currency": "USD",
            "idempotencyKey": key,
        },
    )

    assert again["id"] == first["id"]
    assert (
        client_with(again["token"]).get(f"/v1/checkout-sessions/{first['id']}").status_code == 200
    )
    assert_error(other, 400, "idempotency_key_reused")
    assert_error(server.get(f"/v1/customers/other-{uid}"), 404)
    assert _open(server, f"{uid}-fresh")["id"] != first["id"]


def test_a_customer_with_a_live_subscription_gets_409(
    server: ApiClient, create_customer: Callable[..., dict[str, Any]]
) -> None:
    customer = create_customer("subscribed")["id"]
    order = {"planId": "starter", "currency": "USD", "trialDays": 0}
    assert server.post(f"/v1/customers/{customer}/subscription", json=order).status_code == 201

    refused = server.post(
        "/v1/checkout-sessions", json={"customerId": customer, "planId": "pro", "currency": "USD"}
    )

    assert_error(refused, 409, "subscription_exists", "customerId")


def test_an_existing_customer_needs_no_customer_details(
    server: ApiClient,
    client_with: Callable[[str | None], ApiClient],
    create_customer: Callable[..., dict[str, Any]],
) -> None:
    customer = create_customer("existing")
    body = {"customerId": customer["id"], "planId": "starter", "currency": "USD", "trialDays": 0}

    opened = server.post("/v1/checkout-sessions", json=body)

    assert opened.status_code == 201, opened.text
    visitor = client_with(opened.json()["token"])
    base = f"/v1/checkout-sessions/{opened.json()['id']}"
    done = visitor.post(f"{base}/complete", json={})  # the card it already has will be charged
    assert done.status_code == 200, done.text
    assert server.get(f"/v1/customers/{customer['id']}").json() == customer


def test_an_unknown_customer_without_details_is_400_naming_customer(
    server: ApiClient, uid: str
) -> None:
    refused = server.post(
        "/v1/checkout-sessions",
        json={"customerId": f"ghost-{uid}", "planId": "starter", "currency": "USD"},
    )

    assert_error(refused, 400, "customer_not_found", "customer")
    assert_error(server.get(f"/v1/customers/ghost-{uid}"), 404)


@pytest.mark.parametrize(
    ("terms", "status", "field"),
    [
        ({"planId": "no-such-plan"}, None, "planId"),
        ({"currency": "GBP"}, 422, "planId"),
        ({"expiresInMinutes": 2}, 400, "expiresInMinutes"),
        ({"expiresInMinutes": 1441}, 400, "expiresInMinutes"),
        ({"addons": [{"addonId": "no-such-addon", "quantity": 1}]}, None, "addons.0.addonId"),
        ({"trialDays": -1}, 400, "trialDays"),
        ({"customer": {"email": "not-an-email", "name": "X"}}, 400, "customer.email"),
    ],
    ids=[
        "unknown-plan",
        "no-price-in-currency",
        "too-short",
        "too-long",
        "unknown-addon",
        "negative-trial",
        "bad-email",
    ],
)
def test_bad_terms_are_refused_naming_the_field_and_write_nothing(
    server: ApiClient, uid: str, terms: dict[str, Any], status: int | None, field: str
) -> None:
    body = {
        "customerId": f"visitor-{uid}",
        "customer": {"email": f"visitor-{uid}@example.com", "name": "Visitor"},
        "planId": "starter",
        "currency": "USD",
        **terms,
    }

    refused = server.post("/v1/checkout-sessions", json=body)

    assert 400 <= refused.status_code < 500, refused.text
    assert_error(refused, status or refused.status_code, field=field)
    assert_error(server.get(f"/v1/customers/visitor-{uid}"), 404)


def test_completing_publishes_checkout_completed(
    server: ApiClient, client_with: Callable[[str | None], ApiClient], uid: str
) -> None:
    session, visitor, base = _visitor(server, client_with, uid, trialDays=0)
    done = visitor.post(f"{base}/complete", json={"setupIntentId": _card(visitor, base)})
    assert done.status_code == 200, done.text
    customer = session["customerId"]

    def completed() -> list[dict[str, Any]]:
        log = server.get(f"/v1/customers/{customer}/events", params={"limit": 100})
        assert log.status_code == 200, log.text
        return [e for e in log.json()["items"] if e["type"] == "checkout.completed"]

    events = eventually(completed, 30)

    assert len(events) == 1, events
    data = events[0]["data"]
    assert (data["id"], data["status"]) == (session["id"], "complete")
    assert data["subscriptionId"] == done.json()["subscription"]["id"]
    assert events[0]["customerId"] == customer


def test_an_unknown_session_is_404_and_a_spoiled_token_401(
    server: ApiClient, client_with: Callable[[str | None], ApiClient], uid: str
) -> None:
    session = _open(server, uid)
    base = f"/v1/checkout-sessions/{session['id']}"
    secret = deps.portal_signing_secret()
    now = deps.clock().now()
    expired = mint_checkout_token(
        secret, session["id"], session["customerId"], now - timedelta(days=2)
    )
    token = session["token"]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    ghost_id = "cs_" + "0" * 32
    ghost = mint_checkout_token(secret, ghost_id, session["customerId"], now + timedelta(hours=1))

    for spoiled in (expired, tampered):
        spoiled_client = client_with(spoiled)
        assert_error(spoiled_client.get(base), 401, "unauthorized", None)
        assert_error(spoiled_client.post(f"{base}/setup-intent"), 401, "unauthorized", None)
        assert_error(spoiled_client.post(f"{base}/complete", json={}), 401, "unauthorized", None)
    assert_error(
        client_with(ghost).get(f"/v1/checkout-sessions/{ghost_id}"),
        404,
        "checkout_session_not_found",
    )
    assert client_with(token).get(base).json()["session"]["status"] == "open"


def test_a_session_reads_back_with_the_expiry_it_was_opened_with(
    server: ApiClient, client_with: Callable[[str | None], ApiClient], uid: str
) -> None:
    opened = _open(server, uid, expiresInMinutes=5)
    again = _open(server, uid, expiresInMinutes=5, idempotencyKey=f"expiry-{uid}")

    shown = client_with(opened["token"]).get(f"/v1/checkout-sessions/{opened['id']}")
    replayed = _open(server, uid, expiresInMinutes=5, idempotencyKey=f"expiry-{uid}")

    created = datetime.fromisoformat(opened["createdAt"])
    assert datetime.fromisoformat(opened["expiresAt"]) - created < timedelta(minutes=5, seconds=1)
    assert shown.status_code == 200, shown.text
    assert shown.json()["session"]["expiresAt"] == opened["expiresAt"]
    assert replayed["expiresAt"] == again["expiresAt"]


def test_an_expired_session_is_gone_but_a_completed_one_still_answers(
    server: ApiClient,
    client_with: Callable[[str | None], ApiClient],
    uid: str,
    advance_clock: Callable[..., str],
) -> None:
    session, visitor, base = _visitor(
        server, client_with, f"{uid}-late", trialDays=0, expiresInMinutes=5
    )
    setup_intent = _card(visitor, base)
    _, finisher, finished_base = _visitor(
        server, client_with, f"{uid}-done", trialDays=0, expiresInMinutes=5
    )
    done = finisher.post(
        f"{finished_base}/complete", json={"setupIntentId": _card(finisher, finished_base)}
    )
    assert done.status_code == 200, done.text

    advance_clock(11 * 60)  # past the expiry (5 minutes) and the portal hand-off (10)

    assert_error(visitor.get(base), 410, "checkout_session_expired")
    assert_error(visitor.post(f"{base}/setup-intent"), 410, "checkout_session_expired")
    assert_error(
        visitor.post(f"{base}/complete", json={"setupIntentId": setup_intent}),
        410,
        "checkout_session_expired",
    )
    assert_error(server.get(f"/v1/customers/{session['customerId']}/subscription"), 404)
    again = finisher.post(f"{finished_base}/complete", json={})
    assert again.status_code == 200, again.text
    assert again.json()["subscription"]["id"] == done.json()["subscription"]["id"]
    assert done.json()["portalUrl"]
    assert again.json()["portalUrl"] is None, "a leaked checkout link opens no portal later"
