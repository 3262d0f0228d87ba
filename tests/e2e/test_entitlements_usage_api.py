"""Entitlement checks and usage over HTTP: check, list, report, consume, history, period reset,
the demo customer and portal tokens.

The stack is shared by the whole session, so every test makes its own customers; exact limits
come from a catalog this module creates with unique ids (`catalog`), never from the demo one,
except where the demo data itself is under test. Periods and timestamps are read from the
responses, never from the wall clock: other tests move the shared test clock too.
"""

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.e2e.helpers import assert_error, camel_case_violations

HARD_LIMIT = 10
SOFT_LIMIT = 5
DAILY_LIMIT = 100
NEVER_LIMIT = 7
SEATS = 3

CHECK_FIELDS = {
    "featureId",
    "hasAccess",
    "unlimited",
    "limit",
    "usage",
    "remaining",
    "requested",
    "periodStart",
    "periodEnd",
    "resetAt",
    "softLimitExceeded",
    "reason",
    "credits",
}


@dataclass(frozen=True)
class Catalog:
    """Features and a plan made for this module, so their limits are exactly known."""

    plan: str
    hard: str
    """metered, limit HARD_LIMIT, hard, resets monthly with the subscription (the default)"""
    soft: str
    """metered, limit SOFT_LIMIT, soft"""
    daily: str
    """metered, limit DAILY_LIMIT, hard, resets daily with the subscription"""
    never: str
    """metered, limit NEVER_LIMIT, never resets"""
    unlimited: str
    """metered, unlimited"""
    seats: str
    """numeric, value SEATS"""
    sso: str
    """boolean"""
    outside: str
    """metered, in no plan of this catalog"""

    @property
    def held(self) -> set[str]:
        return {self.hard, self.soft, self.daily, self.never, self.unlimited, self.seats, self.sso}


def _at(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def _key() -> str:
    return f"key-{uuid.uuid4().hex}"


def _check_path(customer_id: str, feature_id: str) -> str:
    return f"/v1/customers/{customer_id}/entitlements/{feature_id}"


def _list_path(customer_id: str) -> str:
    return f"/v1/customers/{customer_id}/entitlements"


def _consume_path(customer_id: str, feature_id: str) -> str:
    return f"/v1/customers/{customer_id}/usage/{feature_id}/consume"


def _history_path(customer_id: str, feature_id: str) -> str:
    return f"/v1/customers/{customer_id}/usage/{feature_id}/history"


def _ok(response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _check(client, customer_id: str, feature_id: str, **params: Any) -> dict[str, Any]:
    return _ok(client.get(_check_path(customer_id, feature_id), params=params))


def _report(server, customer_id: str, feature_id: str, value: Any, **fields: Any):
    body = {"customerId": customer_id, "featureId": feature_id, "value": value, **fields}
    body.setdefault("idempotencyKey", _key())
    return server.post("/v1/usage", json=body)


def _consume(server, customer_id: str, feature_id: str, amount: int = 1, key: str | None = None):
    body = {"amount": amount, "idempotencyKey": key or _key()}
    return server.post(_consume_path(customer_id, feature_id), json=body)


def _create(server, path: str, body: dict[str, Any]) -> None:
    response = server.post(path, json=body)
    assert response.status_code == 201, response.text


@pytest.fixture(scope="module")
def catalog(server) -> Catalog:
    suffix = uuid.uuid4().hex[:10]
    ids = {
        name: f"eu-{name}-{suffix}"
        for name in ("plan", "hard", "soft", "daily", "never", "unlimited", "seats", "sso")
    }
    ids["outside"] = f"eu-outside-{suffix}"
    unit = {"singular": "call", "plural": "calls"}
    for name in ("hard", "soft", "daily", "never", "unlimited", "outside"):
        _create(
            server, "/v1/features", {"id": ids[name], "name": name, "type": "metered", "unit": unit}
        )
    seat = {"singular": "seat", "plural": "seats"}
    _create(
        server,
        "/v1/features",
        {"id": ids["seats"], "name": "Seats", "type": "numeric", "unit": seat},
    )
    _create(server, "/v1/features", {"id": ids["sso"], "name": "SSO", "type": "boolean"})
    entitlements = [
        {"featureId": ids["hard"], "limit": HARD_LIMIT},
        {"featureId": ids["soft"], "limit": SOFT_LIMIT, "enforcement": "soft"},
        {"featureId": ids["daily"], "limit": DAILY_LIMIT, "resetPeriod": "daily"},
        {"featureId": ids["never"], "limit": NEVER_LIMIT, "resetPeriod": "never"},
        {"featureId": ids["unlimited"], "unlimited": True},
        {"featureId": ids["seats"], "value": SEATS},
        {"featureId": ids["sso"]},
    ]
    _create(
        server, "/v1/plans", {"id": ids["plan"], "name": "E2E usage", "entitlements": entitlements}
    )
    return Catalog(**ids)


@pytest.fixture
def subscribe(server) -> Callable[[str, str], dict[str, Any]]:
    def create(customer_id: str, plan_id: str) -> dict[str, Any]:
        body = {"planId": plan_id, "currency": "USD", "trialDays": 0}
        return _ok(server.post(f"/v1/customers/{customer_id}/subscription", json=body), 201)

    return create


@pytest.fixture
def subscribed(create_customer, subscribe, catalog) -> tuple[str, dict[str, Any]]:
    """A new customer on the module's plan: its id and its subscription."""
    customer_id = create_customer("ent")["id"]
    return customer_id, subscribe(customer_id, catalog.plan)


@pytest.fixture
def customer_id(subscribed) -> str:
    return subscribed[0]


# --- check ------------------------------------------------------------------------------------


def test_check_of_a_boolean_feature_grants_it_with_no_amounts(server, catalog, customer_id):
    check = _check(server, customer_id, catalog.sso)

    assert set(check) == CHECK_FIELDS
    assert camel_case_violations(check) == []
    assert check == {
        "featureId": catalog.sso,
        "hasAccess": True,
        "unlimited": False,
        "limit": None,
        "usage": 0,
        "remaining": None,
        "requested": 1,
        "periodStart": None,
        "periodEnd": None,
        "resetAt": None,
        "softLimitExceeded": False,
        "reason": None,
        "credits": None,
    }


def test_check_of_a_numeric_feature_gives_its_value_as_the_limit(server, catalog, customer_id):
    check = _check(server, customer_id, catalog.seats, requested=2)

    assert (check["hasAccess"], check["reason"], check["unlimited"]) == (True, None, False)
    assert (check["limit"], check["usage"], check["remaining"], check["requested"]) == (
        SEATS,
        0,
        SEATS,
        2,
    )
    assert (check["periodStart"], check["resetAt"], check["softLimitExceeded"]) == (
        None,
        None,
        False,
    )


def test_check_of_a_metered_feature_counts_usage_in_the_subscription_period(
    server, catalog, subscribed
):
    customer_id, subscription = subscribed
    _ok(_report(server, customer_id, catalog.hard, 4))

    check = _check(server, customer_id, catalog.hard, requested=3)

    assert (check["featureId"], check["hasAccess"], check["reason"]) == (catalog.hard, True, None)
    assert (check["limit"], check["usage"], check["remaining"], check["requested"]) == (
        HARD_LIMIT,
        4,
        HARD_LIMIT - 4,
        3,
    )
    assert (check["unlimited"], check["softLimitExceeded"]) == (False, False)
    # monthly, anchored on the subscription: the counter's period is the billing period
    assert _at(check["periodStart"]) == _at(subscription["currentPeriodStart"])
    assert _at(check["periodEnd"]) == _at(subscription["currentPeriodEnd"])
    assert check["resetAt"] == check["periodEnd"]


def test_check_defaults_requested_to_one(server, catalog, customer_id):
    _ok(_report(server, customer_id, catalog.hard, HARD_LIMIT - 1))

    default = _check(server, customer_id, catalog.hard)

    assert (default["requested"], default["hasAccess"], default["remaining"]) == (1, True, 1)
    two = _check(server, customer_id, catalog.hard, requested=2)
    assert (two["hasAccess"], two["reason"], two["remaining"]) == (False, "limit_exceeded", 1)


def test_check_requesting_past_a_hard_limit_is_refused(server, catalog, customer_id):
    _ok(_report(server, customer_id, catalog.hard, 6))

    exact = _check(server, customer_id, catalog.hard, requested=HARD_LIMIT - 6)
    past = _check(server, customer_id, catalog.hard, requested=HARD_LIMIT - 5)

    assert (exact["hasAccess"], exact["reason"], exact["remaining"]) == (True, None, 4)
    assert (past["hasAccess"], past["reason"]) == (False, "limit_exceeded")
    assert (past["limit"], past["usage"], past["remaining"], past["requested"]) == (
        HARD_LIMIT,
        6,
        4,
        HARD_LIMIT - 5,
    )
    assert past["softLimitExceeded"] is False


def test_check_at_the_hard_limit_has_nothing_remaining(server, catalog, customer_id):
    _ok(_report(server, customer_id, catalog.hard, HARD_LIMIT, mode="set"))

    check = _check(server, customer_id, catalog.hard)
    nothing_more = _check(server, customer_id, catalog.hard, requested=0)

    assert (check["hasAccess"], check["reason"]) == (False, "limit_exceeded")
    assert (check["usage"], check["remaining"], check["limit"]) == (HARD_LIMIT, 0, HARD_LIMIT)
    assert (nothing_more["hasAccess"], nothing_more["remaining"]) == (True, 0)


def test_check_past_a_soft_limit_is_granted_and_flagged(server, catalog, customer_id):
    _ok(_report(server, customer_id, catalog.soft, SOFT_LIMIT - 1))

    within = _check(server, customer_id, catalog.soft)
    beyond = _check(server, customer_id, catalog.soft, requested=2)

    assert (within["hasAccess"], within["softLimitExceeded"], within["remaining"]) == (
        True,
        False,
        1,
    )
    assert (beyond["hasAccess"], beyond["reason"], beyond["softLimitExceeded"]) == (
        True,
        None,
        True,
    )
    assert (beyond["limit"], beyond["usage"], beyond["remaining"]) == (
        SOFT_LIMIT,
        SOFT_LIMIT - 1,
        1,
    )


def test_check_of_an_unlimited_metered_feature(server, catalog, customer_id):
    _ok(_report(server, customer_id, catalog.unlimited, 10**9))

    check = _check(server, customer_id, catalog.unlimited, requested=10**12)

    assert (check["hasAccess"], check["unlimited"], check["reason"]) == (True, True, None)
    assert (check["limit"], check["remaining"], check["usage"]) == (None, None, 10**9)
    assert check["softLimitExceeded"] is False


def test_check_of_an_unknown_customer_is_an_answer_not_an_error(server, catalog, uid):
    check = _check(server, f"nobody-{uid}", catalog.hard)

    assert (check["featureId"], check["hasAccess"], check["reason"]) == (
        catalog.hard,
        False,
        "customer_not_found",
    )
    assert (check["limit"], check["remaining"], check["usage"]) == (None, None, 0)


def test_check_of_a_customer_without_subscription(server, catalog, create_customer):
    customer_id = create_customer("ent")["id"]

    check = _check(server, customer_id, catalog.hard)

    assert (check["hasAccess"], check["reason"], check["limit"]) == (False, "no_subscription", None)


def test_check_of_a_feature_outside_the_plan(server, catalog, customer_id):
    check = _check(server, customer_id, catalog.outside)
    unknown = _check(server, customer_id, f"no-such-feature-{uuid.uuid4().hex[:8]}")

    assert (check["hasAccess"], check["reason"]) == (False, "feature_not_in_plan")
    assert (unknown["hasAccess"], unknown["reason"]) == (False, "feature_not_in_plan")


@pytest.mark.parametrize("requested", ["-1", "x", "1.5", "", str(10**12 + 1)])
def test_check_with_a_bad_requested_is_400(server, catalog, customer_id, requested):
    response = server.get(_check_path(customer_id, catalog.hard), params={"requested": requested})

    assert_error(response, 400, field="requested")


@pytest.mark.parametrize("feature_id", ["API-CALLS", "bad.id", "-leading-dash", "x" * 65])
def test_check_of_a_malformed_feature_id_is_400(server, customer_id, feature_id):
    assert_error(server.get(_check_path(customer_id, feature_id)), 400, field="featureId")


def test_check_of_a_malformed_customer_id_is_400(server, catalog):
    assert_error(server.get(_check_path("-bad", catalog.hard)), 400, field="customerId")


# --- list -------------------------------------------------------------------------------------


def test_list_gives_every_held_feature_with_its_usage(server, catalog, customer_id):
    _ok(_report(server, customer_id, catalog.hard, 3))
    _ok(_report(server, customer_id, catalog.never, 2))

    page = _ok(server.get(_list_path(customer_id)))

    assert set(page) == {"items", "nextCursor"}
    assert page["nextCursor"] is None
    by_id = {item["featureId"]: item for item in page["items"]}
    assert len(by_id) == len(page["items"])
    assert set(by_id) == catalog.held
    assert all(set(item) == CHECK_FIELDS for item in page["items"])
    assert all(item["hasAccess"] and item["reason"] is None for item in page["items"])
    hard, never = by_id[catalog.hard], by_id[catalog.never]
    assert (hard["limit"], hard["usage"], hard["remaining"]) == (HARD_LIMIT, 3, HARD_LIMIT - 3)
    assert (never["limit"], never["usage"], never["remaining"]) == (NEVER_LIMIT, 2, 5)
    assert (never["periodStart"], never["resetAt"]) == (None, None)
    assert (by_id[catalog.soft]["usage"], by_id[catalog.soft]["limit"]) == (0, SOFT_LIMIT)
    assert (by_id[catalog.seats]["limit"], by_id[catalog.sso]["limit"]) == (SEATS, None)
    assert by_id[catalog.unlimited]["unlimited"] is True
    # the list says what a check of each feature says
    assert by_id[catalog.hard] == _check(server, customer_id, catalog.hard)


def test_list_of_an_unknown_customer_is_404(server, uid):
    assert_error(server.get(_list_path(f"nobody-{uid}")), 404, "customer_not_found")


def test_list_of_a_customer_without_subscription_is_empty(server, create_customer):
    customer_id = create_customer("ent")["id"]

    page = _ok(server.get(_list_path(customer_id)))

    assert page == {"items": [], "nextCursor": None}


# --- report usage -----------------------------------------------------------------------------


def test_delta_reports_add_up_and_show_in_the_check_at_once(server, catalog, customer_id):
    first = _ok(_report(server, customer_id, catalog.hard, 2))
    assert _check(server, customer_id, catalog.hard)["usage"] == 2
    second = _ok(_report(server, customer_id, catalog.hard, 3, mode="delta"))

    assert first == {"counted": True, "used": 2}
    assert second == {"counted": True, "used": 5}
    assert _check(server, customer_id, catalog.hard)["usage"] == 5


def test_set_reports_replace_the_usage(server, catalog, customer_id):
    _ok(_report(server, customer_id, catalog.hard, 7))

    lowered = _ok(_report(server, customer_id, catalog.hard, 4, mode="set"))
    zeroed = _ok(_report(server, customer_id, catalog.hard, 0, mode="set"))

    assert lowered == {"counted": True, "used": 4}
    assert zeroed == {"counted": True, "used": 0}
    assert _check(server, customer_id, catalog.hard)["usage"] == 0


def test_a_report_may_take_usage_past_a_hard_limit(server, catalog, customer_id):
    # reports record what happened; only consume refuses
    reported = _ok(_report(server, customer_id, catalog.hard, HARD_LIMIT + 5))

    assert reported == {"counted": True, "used": HARD_LIMIT + 5}
    check = _check(server, customer_id, catalog.hard)
    assert (check["usage"], check["remaining"], check["hasAccess"]) == (HARD_LIMIT + 5, 0, False)


@pytest.mark.parametrize("mode", ["delta", "set"])
def test_the_same_idempotency_key_counts_once(server, catalog, customer_id, mode):
    key = _key()

    first = _ok(_report(server, customer_id, catalog.hard, 3, mode=mode, idempotencyKey=key))
    _ok(_report(server, customer_id, catalog.hard, 1))  # another report in between
    again = _ok(_report(server, customer_id, catalog.hard, 3, mode=mode, idempotencyKey=key))

    assert first == {"counted": True, "used": 3}
    assert again == {"counted": False, "used": 4}
    assert _check(server, customer_id, catalog.hard)["usage"] == 4


def test_an_idempotency_key_reused_for_another_report_is_400(server, catalog, customer_id):
    key = _key()
    _ok(_report(server, customer_id, catalog.hard, 3, idempotencyKey=key))

    response = _report(server, customer_id, catalog.hard, 5, idempotencyKey=key)

    assert_error(response, 400, "idempotency_key_reused", "idempotencyKey")
    assert _check(server, customer_id, catalog.hard)["usage"] == 3


def test_idempotency_keys_are_per_customer_and_never_reused_across_reports(
    server, catalog, customer_id, create_customer, subscribe
):
    other = create_customer("ent")["id"]
    subscribe(other, catalog.plan)
    key = _key()
    _ok(_report(server, customer_id, catalog.hard, 2, idempotencyKey=key))

    # the same key from another customer is another report
    assert _ok(_report(server, other, catalog.hard, 2, idempotencyKey=key)) == {
        "counted": True,
        "used": 2,
    }
    # the same customer's key on another feature, or as a consume, is a different report
    assert_error(
        _report(server, customer_id, catalog.soft, 2, idempotencyKey=key),
        400,
        "idempotency_key_reused",
        "idempotencyKey",
    )
    assert_error(
        _consume(server, customer_id, catalog.hard, 2, key),
        400,
        "idempotency_key_reused",
        "idempotencyKey",
    )
    assert _check(server, customer_id, catalog.hard)["usage"] == 2
    assert _check(server, customer_id, catalog.soft)["usage"] == 0


def test_report_for_an_unknown_customer_is_404(server, catalog, uid):
    response = _report(server, f"nobody-{uid}", catalog.hard, 1)

    assert_error(response, 404, "customer_not_found")


def test_report_for_a_customer_without_subscription_is_422(server, catalog, create_customer):
    customer_id = create_customer("ent")["id"]

    assert_error(_report(server, customer_id, catalog.hard, 1), 422, "no_subscription")


@pytest.mark.parametrize("which", ["seats", "sso"])
def test_report_for_a_feature_that_is_not_metered_is_400(server, catalog, customer_id, which):
    response = _report(server, customer_id, getattr(catalog, which), 1)

    assert_error(response, 400, "feature_not_metered", "featureId")


def test_report_for_a_feature_outside_the_plan_is_422(server, catalog, customer_id):
    response = _report(server, customer_id, catalog.outside, 1)

    assert_error(response, 422, "feature_not_in_plan", "featureId")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param({"value": -1}, "value", id="negative"),
        pytest.param({"value": 1.5}, "value", id="float"),
        pytest.param({"value": "5"}, "value", id="string"),
        pytest.param({"value": True}, "value", id="bool"),
        pytest.param({"value": 10**12 + 1}, "value", id="too-large"),
        pytest.param({"value": None}, "value", id="null"),
        pytest.param({"mode": "increment"}, "mode", id="bad-mode"),
        pytest.param({"idempotencyKey": None}, "idempotencyKey", id="missing-key"),
        pytest.param({"idempotencyKey": ""}, "idempotencyKey", id="empty-key"),
        pytest.param({"idempotencyKey": "has space"}, "idempotencyKey", id="key-with-space"),
        pytest.param({"idempotencyKey": "k" * 256}, "idempotencyKey", id="key-too-long"),
        pytest.param({"featureId": "API-CALLS"}, "featureId", id="malformed-feature"),
        pytest.param({"customerId": "-bad"}, "customerId", id="malformed-customer"),
        pytest.param({"extra": 1}, "extra", id="unknown-field"),
    ],
)
def test_invalid_usage_reports_are_400_naming_the_field(
    server, catalog, customer_id, change, field
):
    body = {
        "customerId": customer_id,
        "featureId": catalog.hard,
        "value": 1,
        "idempotencyKey": _key(),
        **change,
    }
    body = {k: v for k, v in body.items() if v is not None or k == "value"}

    assert_error(server.post("/v1/usage", json=body), 400, field=field)
    assert _check(server, customer_id, catalog.hard)["usage"] == 0


def test_a_usage_report_that_is_not_an_object_is_400(server):
    assert_error(server.post("/v1/usage", json=[1]), 400)
    assert_error(server.post("/v1/usage", data="{"), 400, "malformed_json")


# --- consume ----------------------------------------------------------------------------------


def test_consume_up_to_a_hard_limit_then_one_more_is_refused(server, catalog, customer_id):
    used = [_ok(_consume(server, customer_id, catalog.hard, 3))["used"] for _ in range(3)]
    last = _ok(_consume(server, customer_id, catalog.hard, HARD_LIMIT - 9))

    refused = _consume(server, customer_id, catalog.hard, 1)

    assert used == [3, 6, 9]
    assert last == {"counted": True, "used": HARD_LIMIT}
    assert_error(refused, 422, "limit_exceeded")
    check = _check(server, customer_id, catalog.hard)
    assert (check["usage"], check["remaining"], check["hasAccess"]) == (HARD_LIMIT, 0, False)
    # nothing more still fits
    assert _ok(_consume(server, customer_id, catalog.hard, 0)) == {
        "counted": True,
        "used": HARD_LIMIT,
    }


def test_consume_refuses_the_whole_amount_when_only_part_fits(server, catalog, customer_id):
    _ok(_consume(server, customer_id, catalog.hard, 8))

    assert_error(_consume(server, customer_id, catalog.hard, 3), 422, "limit_exceeded")
    assert _check(server, customer_id, catalog.hard)["usage"] == 8
    assert _ok(_consume(server, customer_id, catalog.hard, 2)) == {"counted": True, "used": 10}


def test_a_refused_consume_can_be_retried_with_its_key_once_it_fits(server, catalog, customer_id):
    _ok(_report(server, customer_id, catalog.hard, HARD_LIMIT))
    key = _key()
    assert_error(_consume(server, customer_id, catalog.hard, 2, key), 422, "limit_exceeded")
    _ok(_report(server, customer_id, catalog.hard, 0, mode="set"))

    retried = _ok(_consume(server, customer_id, catalog.hard, 2, key))

    assert retried == {"counted": True, "used": 2}


def test_consume_replayed_with_the_same_key_counts_once(server, catalog, customer_id):
    key = _key()

    first = _ok(_consume(server, customer_id, catalog.hard, 4, key))
    replay = _ok(_consume(server, customer_id, catalog.hard, 4, key))

    assert first == {"counted": True, "used": 4}
    assert replay == {"counted": False, "used": 4}
    assert _check(server, customer_id, catalog.hard)["usage"] == 4


def test_consume_replay_at_the_limit_answers_counted_false_not_limit_exceeded(
    server, catalog, customer_id
):
    key = _key()
    _ok(_consume(server, customer_id, catalog.hard, HARD_LIMIT, key))

    replay = _ok(_consume(server, customer_id, catalog.hard, HARD_LIMIT, key))

    assert replay == {"counted": False, "used": HARD_LIMIT}


def test_consume_may_pass_a_soft_limit(server, catalog, customer_id):
    within = _ok(_consume(server, customer_id, catalog.soft, SOFT_LIMIT))
    beyond = _ok(_consume(server, customer_id, catalog.soft, 3))

    assert within == {"counted": True, "used": SOFT_LIMIT}
    assert beyond == {"counted": True, "used": SOFT_LIMIT + 3}
    check = _check(server, customer_id, catalog.soft)
    assert (check["hasAccess"], check["softLimitExceeded"], check["remaining"]) == (True, True, 0)
    assert check["usage"] == SOFT_LIMIT + 3


def test_consume_of_an_unlimited_feature_always_counts(server, catalog, customer_id):
    assert _ok(_consume(server, customer_id, catalog.unlimited, 10**12)) == {
        "counted": True,
        "used": 10**12,
    }


def test_consume_refusals(server, catalog, customer_id, create_customer, uid):
    without = create_customer("ent")["id"]

    assert_error(_consume(server, f"nobody-{uid}", catalog.hard), 404, "customer_not_found")
    assert_error(_consume(server, without, catalog.hard), 422, "no_subscription")
    assert_error(_consume(server, customer_id, catalog.outside), 422, "feature_not_in_plan")
    assert_error(_consume(server, customer_id, catalog.seats), 400, "feature_not_metered")
    assert_error(_consume(server, customer_id, catalog.sso), 400, "feature_not_metered")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"amount": -1, "idempotencyKey": "k"}, "amount", id="negative"),
        pytest.param({"amount": 1.5, "idempotencyKey": "k"}, "amount", id="float"),
        pytest.param({"amount": "1", "idempotencyKey": "k"}, "amount", id="string"),
        pytest.param({"amount": 1}, "idempotencyKey", id="missing-key"),
        pytest.param({"amount": 1, "idempotencyKey": "k", "x": 1}, "x", id="unknown-field"),
    ],
)
def test_invalid_consume_bodies_are_400_naming_the_field(server, catalog, customer_id, body, field):
    response = server.post(_consume_path(customer_id, catalog.hard), json=body)

    assert_error(response, 400, field=field)
    assert _check(server, customer_id, catalog.hard)["usage"] == 0


def test_consume_amount_defaults_to_one(server, catalog, customer_id):
    response = server.post(
        _consume_path(customer_id, catalog.hard), json={"idempotencyKey": _key()}
    )

    assert _ok(response) == {"counted": True, "used": 1}


def test_concurrent_consumers_never_pass_the_limit(
    server, catalog, customer_id, local_api, client_with
):
    threads, attempts = 8, 3

    def consumer(_: int) -> list[Any]:
        own = client_with(local_api.server_key)  # a connection per thread
        return [_consume(own, customer_id, catalog.hard, 1) for _ in range(attempts)]

    with ThreadPoolExecutor(max_workers=threads) as pool:
        responses = [r for batch in pool.map(consumer, range(threads)) for r in batch]

    outcomes = [(r.status_code, r.json().get("error", {}).get("code")) for r in responses]
    assert set(outcomes) <= {
        (200, None),
        (422, "limit_exceeded"),
        (409, "concurrent_modification"),
    }, outcomes
    successes = [r.json()["used"] for r in responses if r.status_code == 200]
    final = _check(server, customer_id, catalog.hard)["usage"]
    assert all(1 <= used <= HARD_LIMIT for used in successes), successes
    assert len(successes) == final <= HARD_LIMIT


def test_consumers_racing_usage_reports_never_pass_the_limit(
    server, catalog, customer_id, local_api, client_with
):
    """The local gateway runs one request at a time per function (one Lambda container), so
    consumers alone are serialized; reports of 0 go through another function at the same time
    and write the same counter, so consumes here really race other transactions."""
    threads, attempts = 8, 3

    def consumer(_: int) -> list[Any]:
        own = client_with(local_api.server_key)
        return [_consume(own, customer_id, catalog.hard, 1) for _ in range(attempts)]

    def reporter(_: int) -> list[Any]:
        own = client_with(local_api.server_key)
        return [_report(own, customer_id, catalog.hard, 0) for _ in range(attempts)]

    with ThreadPoolExecutor(max_workers=2 * threads) as pool:
        consumed = [pool.submit(consumer, i) for i in range(threads)]
        reported = [pool.submit(reporter, i) for i in range(threads)]
        consumes = [r for future in consumed for r in future.result()]
        reports = [r for future in reported for r in future.result()]

    outcomes = {(r.status_code, r.json().get("error", {}).get("code")) for r in consumes}
    assert outcomes <= {(200, None), (422, "limit_exceeded"), (409, "concurrent_modification")}
    assert {r.status_code for r in reports} <= {200, 409}, [r.text for r in reports]
    successes = sum(r.status_code == 200 for r in consumes)
    assert successes == _check(server, customer_id, catalog.hard)["usage"] <= HARD_LIMIT


# --- period reset and history -----------------------------------------------------------------


def test_history_lists_the_current_period_first_with_its_usage(server, catalog, subscribed):
    customer_id, subscription = subscribed
    _ok(_report(server, customer_id, catalog.hard, 6))

    page = _ok(server.get(_history_path(customer_id, catalog.hard)))

    assert set(page) == {"items", "nextCursor"}
    assert page["nextCursor"] is None
    [current] = page["items"]
    assert (current["featureId"], current["used"]) == (catalog.hard, 6)
    assert _at(current["periodStart"]) == _at(subscription["currentPeriodStart"])
    assert _at(current["periodEnd"]) == _at(subscription["currentPeriodEnd"])


def test_history_of_a_feature_that_never_resets_has_its_one_count(server, catalog, customer_id):
    _ok(_report(server, customer_id, catalog.never, 2))

    page = _ok(server.get(_history_path(customer_id, catalog.never)))

    [current] = page["items"]
    assert (current["featureId"], current["used"]) == (catalog.never, 2)


def test_history_of_a_feature_that_never_resets_has_null_period_like_the_check(
    server, catalog, customer_id
):
    _ok(_report(server, customer_id, catalog.never, 2))
    check = _check(server, customer_id, catalog.never)

    [current] = _ok(server.get(_history_path(customer_id, catalog.never)))["items"]

    assert (check["periodStart"], check["periodEnd"]) == (None, None)
    assert (current["periodStart"], current["periodEnd"]) == (None, None)


def test_history_refusals(server, catalog, customer_id, create_customer, uid):
    assert_error(
        server.get(_history_path(f"nobody-{uid}", catalog.hard)), 404, "customer_not_found"
    )
    without = create_customer("ent")["id"]
    assert_error(server.get(_history_path(without, catalog.hard)), 422, "no_subscription")
    assert_error(server.get(_history_path(customer_id, catalog.seats)), 400, "feature_not_metered")
    assert_error(
        server.get(_history_path(customer_id, catalog.outside)), 422, "feature_not_in_plan"
    )
    assert_error(
        server.get(_history_path(customer_id, catalog.hard), params={"limit": 0}),
        400,
        field="limit",
    )


def _report_then_next_day(
    server, catalog, customer_id, advance_clock, key: str | None = None
) -> dict[str, Any]:
    """Report 7 of the daily feature, then move the clock past the end of that day's period;
    return the check made before the move."""
    _ok(_report(server, customer_id, catalog.daily, 7, idempotencyKey=key or _key()))
    before = _check(server, customer_id, catalog.daily)
    assert before["usage"] == 7
    assert _at(before["periodEnd"]) - _at(before["periodStart"]) == timedelta(days=1)
    advance_clock(86400 + 1)
    return before


def test_a_daily_counter_restarts_at_zero_and_history_keeps_the_closed_day(
    server, catalog, customer_id, advance_clock
):
    _ok(_report(server, customer_id, catalog.hard, 3))
    key = _key()
    before = _report_then_next_day(server, catalog, customer_id, advance_clock, key)

    after = _check(server, customer_id, catalog.daily)

    assert (after["usage"], after["remaining"], after["hasAccess"]) == (0, DAILY_LIMIT, True)
    assert _at(after["periodStart"]) >= _at(before["periodEnd"])
    assert _at(after["periodEnd"]) - _at(after["periodStart"]) == timedelta(days=1)
    # the monthly counter of the same customer did not reset with it
    assert _check(server, customer_id, catalog.hard)["usage"] == 3
    # the old day's report replayed is still counted once, and not in the new day
    replay = _report(server, customer_id, catalog.daily, 7, idempotencyKey=key)
    assert _ok(replay) == {"counted": False, "used": 0}
    # the whole daily limit is available again
    assert _ok(_consume(server, customer_id, catalog.daily, DAILY_LIMIT)) == {
        "counted": True,
        "used": DAILY_LIMIT,
    }
    current, *closed = _ok(server.get(_history_path(customer_id, catalog.daily)))["items"]
    assert (current["used"], _at(current["periodStart"])) == (
        DAILY_LIMIT,
        _at(after["periodStart"]),
    )
    assert [(_at(c["periodStart"]), _at(c["periodEnd"]), c["used"]) for c in closed] == [
        (_at(before["periodStart"]), _at(before["periodEnd"]), 7)
    ]


def test_history_lists_the_closed_period_right_after_the_reset(
    server, catalog, customer_id, advance_clock
):
    before = _report_then_next_day(server, catalog, customer_id, advance_clock)

    page = _ok(server.get(_history_path(customer_id, catalog.daily)))

    current, *closed = page["items"]
    assert current["used"] == 0
    assert [(_at(c["periodStart"]), c["used"]) for c in closed] == [(_at(before["periodStart"]), 7)]


def test_history_pages_hold_at_most_limit_items(server, catalog, customer_id, advance_clock):
    _report_then_next_day(server, catalog, customer_id, advance_clock)
    _ok(_report(server, customer_id, catalog.daily, 2))  # closes the first day into history
    path = _history_path(customer_id, catalog.daily)
    assert len(_ok(server.get(path))["items"]) == 2

    first = _ok(server.get(path, params={"limit": 1}))

    assert len(first["items"]) == 1, first
    assert first["items"][0]["used"] == 2
    assert first["nextCursor"] is not None
    rest = _ok(server.get(path, params={"limit": 1, "cursor": first["nextCursor"]}))
    assert [item["used"] for item in rest["items"]] == [7]


# --- demo data --------------------------------------------------------------------------------


def test_demo_customer_holds_pro_with_usage_on_api_calls(server):
    subscription = _ok(server.get("/v1/customers/demo-customer/subscription"))
    check = _check(server, "demo-customer", "api-calls")
    history = _ok(server.get(_history_path("demo-customer", "api-calls")))["items"]
    entitlements = {
        e["featureId"]: e for e in _ok(server.get(_list_path("demo-customer")))["items"]
    }

    assert subscription["planId"] == "pro"
    assert subscription["status"] in {"active", "past_due"}
    assert (check["hasAccess"], check["reason"], check["limit"]) == (True, None, 500000)
    # the seed reported 12,345 calls in the current month (local/demo_customers.json)
    assert _at(check["periodStart"]) == _at(subscription["currentPeriodStart"]), (
        "the shared test clock has moved past the demo customer's current month"
    )
    assert check["usage"] >= 12345
    assert history[0]["used"] == check["usage"]
    assert _at(history[0]["periodStart"]) == _at(check["periodStart"])
    assert check["remaining"] == 500000 - check["usage"]
    # pro: api-calls soft, projects unlimited, seats 20 + 2 extra-seats, sso
    assert entitlements["api-calls"]["limit"] == 500000
    assert entitlements["projects"]["unlimited"] is True
    assert entitlements["projects"]["usage"] >= 4
    assert entitlements["seats"]["limit"] == 20 + 2
    assert entitlements["sso"]["hasAccess"] is True
    soft = _check(server, "demo-customer", "api-calls", requested=500000)
    assert (soft["hasAccess"], soft["softLimitExceeded"]) == (True, True)


def test_demo_customer_project_count_never_resets(server):
    projects = _check(server, "demo-customer", "projects")

    assert projects["unlimited"] is True
    assert (projects["periodStart"], projects["resetAt"]) == (None, None)


def test_starter_hard_limit_on_api_calls(server, create_customer, subscribe):
    customer_id = create_customer("ent")["id"]
    subscribe(customer_id, "starter")

    check = _check(server, customer_id, "api-calls", requested=50001)
    projects = _check(server, customer_id, "projects")

    assert (check["hasAccess"], check["reason"], check["limit"]) == (False, "limit_exceeded", 50000)
    assert (projects["limit"], projects["resetAt"]) == (20, None)
    assert _check(server, customer_id, "sso")["reason"] == "feature_not_in_plan"


# --- portal tokens ----------------------------------------------------------------------------


def test_portal_token_reads_its_own_entitlements_and_history(
    server, catalog, customer_id, portal_token, client_with
):
    _ok(_report(server, customer_id, catalog.hard, 5))
    portal = client_with(portal_token(customer_id))

    check = _check(portal, customer_id, catalog.hard)
    listed = _ok(portal.get(_list_path(customer_id)))
    history = _ok(portal.get(_history_path(customer_id, catalog.hard)))

    assert check == _check(server, customer_id, catalog.hard)
    assert (check["usage"], check["remaining"]) == (5, HARD_LIMIT - 5)
    assert {item["featureId"] for item in listed["items"]} == catalog.held
    assert history["items"][0]["used"] == 5


def test_portal_token_is_refused_on_another_customer_and_on_server_routes(
    server, catalog, customer_id, create_customer, subscribe, portal_token, client_with
):
    other = create_customer("ent")["id"]
    subscribe(other, catalog.plan)
    portal = client_with(portal_token(customer_id))

    assert_error(portal.get(_check_path(other, catalog.hard)), 403)
    assert_error(portal.get(_list_path(other)), 403)
    assert_error(portal.get(_history_path(other, catalog.hard)), 403)
    assert_error(_report(portal, customer_id, catalog.hard, 1), 403)
    assert_error(_consume(portal, customer_id, catalog.hard), 403)
    assert_error(_consume(portal, other, catalog.hard), 403)
    assert _check(server, customer_id, catalog.hard)["usage"] == 0
    assert _check(server, other, catalog.hard)["usage"] == 0


def test_no_credential_is_401_on_every_entitlement_and_usage_route(anonymous, catalog, uid):
    customer_id = f"nobody-{uid}"

    assert_error(anonymous.get(_check_path(customer_id, catalog.hard)), 401)
    assert_error(anonymous.get(_list_path(customer_id)), 401)
    assert_error(anonymous.get(_history_path(customer_id, catalog.hard)), 401)
    assert_error(_report(anonymous, customer_id, catalog.hard, 1), 401)
    assert_error(_consume(anonymous, customer_id, catalog.hard), 401)
