"""Subscriptions over HTTP: create and read, refusals, one live subscription, portal tokens.

Amounts come from the demo catalog (local/pricing.yaml), which no test changes:
starter 1900 USD/month, 19000 USD/year, 1800 EUR/month, 18000 EUR/year; pro 4900 USD/month
with a 14-day trial; extra-seats 800 USD/month, 7000 EUR/year (max 50, starter and pro);
priority-support 9900 USD/month (pro only, USD only).
"""

import calendar
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from billfold_lambda import dependencies as deps

from tests.e2e.helpers import ANY_FIELD, assert_error, camel_case_violations

STARTER_USD_MONTHLY, STARTER_EUR_ANNUAL = 1900, 18000
PRO_USD_MONTHLY, PRO_TRIAL_DAYS = 4900, 14
SEAT_USD_MONTHLY, SEAT_EUR_ANNUAL = 800, 7000

API_FIELDS = {
    "status",
    "planId",
    "billingPeriod",
    "currency",
    "addons",
    "currentPeriodStart",
    "currentPeriodEnd",
    "trialEnd",
    "cancelAtPeriodEnd",
    "scheduledChange",
    "nextInvoice",
}


def _at(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp)


def _months_later(moment: datetime, months: int) -> datetime:
    """Same day and time `months` later, the day clamped to the month's last."""
    year, month = divmod(moment.month - 1 + months, 12)
    year, month = moment.year + year, month + 1
    return moment.replace(
        year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1])
    )


def _path(customer_id: str) -> str:
    return f"/v1/customers/{customer_id}/subscription"


def _now(server) -> datetime:
    return _at(server.get("/_local/clock").json()["now"])


@pytest.fixture
def customer_id(create_customer) -> str:
    return create_customer("subs")["id"]


def _create(server, customer_id: str, **body):
    return server.post(_path(customer_id), json={"currency": "USD", **body})


def test_create_starter_with_seats_then_get_returns_the_same(server, customer_id):
    before = _now(server)

    created = _create(
        server, customer_id, planId="starter", addons=[{"addonId": "extra-seats", "quantity": 3}]
    )

    assert created.status_code == 201, created.text
    sub = created.json()
    assert camel_case_violations(sub) == []
    assert set(sub) >= API_FIELDS
    assert sub["id"].startswith("sub_")
    assert (sub["customerId"], sub["status"], sub["planId"]) == (customer_id, "active", "starter")
    assert (sub["billingPeriod"], sub["currency"], sub["price"]) == (
        "monthly",
        "USD",
        STARTER_USD_MONTHLY,
    )
    [seats] = sub["addons"]
    assert (seats["addonId"], seats["quantity"], seats["unitAmount"]) == (
        "extra-seats",
        3,
        SEAT_USD_MONTHLY,
    )
    assert (sub["trialEnd"], sub["cancelAtPeriodEnd"], sub["scheduledChange"]) == (
        None,
        False,
        None,
    )
    start = _at(sub["currentPeriodStart"])
    assert before <= start <= _now(server) + timedelta(seconds=1)  # the clock shows seconds
    assert _at(sub["billingAnchor"]) == _at(sub["createdAt"]) == start
    assert _at(sub["currentPeriodEnd"]) == _months_later(start, 1)
    assert sub["nextInvoice"]["amount"] == STARTER_USD_MONTHLY + 3 * SEAT_USD_MONTHLY
    assert sub["nextInvoice"]["currency"] == "USD"
    assert _at(sub["nextInvoice"]["date"]) == _at(sub["currentPeriodEnd"])
    read = server.get(_path(customer_id))
    assert read.status_code == 200, read.text
    assert read.json() == sub


def test_annual_eur_create_uses_annual_eur_prices_and_a_year_long_period(server, customer_id):
    created = _create(
        server,
        customer_id,
        planId="starter",
        billingPeriod="annual",
        currency="EUR",
        addons=[{"addonId": "extra-seats", "quantity": 2}],
    )

    assert created.status_code == 201, created.text
    sub = created.json()
    assert (sub["status"], sub["price"], sub["addons"][0]["unitAmount"]) == (
        "active",
        STARTER_EUR_ANNUAL,
        SEAT_EUR_ANNUAL,
    )
    assert _at(sub["currentPeriodEnd"]) == _months_later(_at(sub["currentPeriodStart"]), 12)
    assert sub["nextInvoice"] == {
        "amount": STARTER_EUR_ANNUAL + 2 * SEAT_EUR_ANNUAL,
        "subtotal": STARTER_EUR_ANNUAL + 2 * SEAT_EUR_ANNUAL,
        "discount": 0,
        "creditApplied": 0,
        "currency": "EUR",
        "date": sub["currentPeriodEnd"],
    }


def test_pro_starts_with_its_14_day_trial(server, customer_id):
    created = _create(server, customer_id, planId="pro")

    assert created.status_code == 201, created.text
    sub = created.json()
    start, trial_end = _at(sub["currentPeriodStart"]), _at(sub["trialEnd"])
    assert sub["status"] == "trialing"
    assert trial_end == start + timedelta(days=PRO_TRIAL_DAYS)
    assert _at(sub["currentPeriodEnd"]) == trial_end
    assert sub["nextInvoice"]["amount"] == PRO_USD_MONTHLY
    assert _at(sub["nextInvoice"]["date"]) == trial_end
    assert server.get(_path(customer_id)).json() == sub


def test_trial_days_zero_overrides_pro_trial_and_trial_days_give_starter_one(
    server, create_customer
):
    no_trial = _create(server, create_customer("subs")["id"], planId="pro", trialDays=0)
    with_trial = _create(server, create_customer("subs")["id"], planId="starter", trialDays=7)

    assert no_trial.status_code == 201, no_trial.text
    active = no_trial.json()
    assert (active["status"], active["trialEnd"]) == ("active", None)
    assert _at(active["currentPeriodEnd"]) == _months_later(_at(active["currentPeriodStart"]), 1)
    assert active["nextInvoice"]["amount"] == PRO_USD_MONTHLY
    assert with_trial.status_code == 201, with_trial.text
    trialing = with_trial.json()
    assert trialing["status"] == "trialing"
    assert _at(trialing["trialEnd"]) == _at(trialing["currentPeriodStart"]) + timedelta(days=7)
    assert trialing["currentPeriodEnd"] == trialing["trialEnd"]


def test_backdated_start_gives_the_current_period_anchored_to_it(server, customer_id):
    start = _now(server) - timedelta(days=45)
    start_at = start.isoformat().replace("+00:00", "Z")

    created = _create(server, customer_id, planId="starter", startAt=start_at)

    assert created.status_code == 201, created.text
    sub = created.json()
    assert sub["status"] == "active"
    assert _at(sub["billingAnchor"]) == start
    period_start, period_end = _at(sub["currentPeriodStart"]), _at(sub["currentPeriodEnd"])
    # 45 days back: one whole month has passed, the second is under way.
    assert (period_start, period_end) == (_months_later(start, 1), _months_later(start, 2))
    assert period_start <= _at(sub["createdAt"]) < period_end


def test_start_in_the_future_is_refused(server, customer_id):
    future = (_now(server) + timedelta(days=3650)).isoformat()

    response = _create(server, customer_id, planId="starter", startAt=future)

    assert_error(response, 400, field="startAt")
    assert_error(server.get(_path(customer_id)), 404, "no_subscription")


def test_a_start_with_an_offset_comes_back_in_utc(server, customer_id):
    start = (_now(server) - timedelta(days=2)).replace(microsecond=0)
    start_at = start.astimezone(timezone(timedelta(hours=2))).isoformat()

    created = _create(server, customer_id, planId="pro", startAt=start_at)

    assert created.status_code == 201, created.text
    sub = created.json()
    assert _at(sub["trialEnd"]) == start + timedelta(days=PRO_TRIAL_DAYS)
    stamps = [sub[f] for f in ("billingAnchor", "currentPeriodStart", "currentPeriodEnd")]
    stamps += [sub["trialEnd"], sub["createdAt"], sub["nextInvoice"]["date"]]
    assert all(stamp.endswith("Z") for stamp in stamps), stamps


# --- refusals -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def archived_plan(local_api, server) -> str:
    """A plan of this module's own, published then archived."""
    plan_id = f"gone-{uuid.uuid4().hex[:10]}"
    body = {"id": plan_id, "name": "Gone", "prices": [_price("monthly", "USD", 500)]}
    assert server.post("/v1/plans", json=body).status_code == 201
    assert server.post(f"/v1/plans/{plan_id}/archive").status_code == 200
    return plan_id


def _price(period: str, currency: str, amount: int) -> dict:
    return {"billingPeriod": period, "currency": currency, "amount": amount}


REFUSALS = [
    ("unknown-plan", {"planId": "no-such-plan"}, 400, "unknown_plan", "planId"),
    ("archived-plan", {"planId": "ARCHIVED"}, 422, "plan_archived", "planId"),
    (
        "no-jpy-price",
        {"planId": "starter", "currency": "JPY"},
        422,
        "price_not_available",
        "planId",
    ),
    (
        "addon-without-eur-price",
        {"planId": "pro", "currency": "EUR", "addons": [{"addonId": "priority-support"}]},
        422,
        "price_not_available",
        "addons.0.addonId",
    ),
    (
        "addon-not-on-starter",
        {"planId": "starter", "addons": [{"addonId": "priority-support"}]},
        422,
        "addon_not_allowed",
        "addons.0.addonId",
    ),
    (
        "quantity-above-max",
        {"planId": "starter", "addons": [{"addonId": "extra-seats", "quantity": 51}]},
        422,
        "quantity_above_max",
        "addons.0.quantity",
    ),
    (
        "unknown-addon",
        {"planId": "starter", "addons": [{"addonId": "no-such-addon"}]},
        400,
        "unknown_addon",
        "addons.0.addonId",
    ),
    (
        "duplicate-addon",
        {
            "planId": "starter",
            "addons": [{"addonId": "extra-seats"}, {"addonId": "extra-seats", "quantity": 2}],
        },
        400,
        "invalid_request",
        ANY_FIELD,
    ),
    ("unknown-field", {"planId": "starter", "colour": "red"}, 400, "invalid_request", "colour"),
    (
        "missing-currency",
        {"planId": "starter", "currency": None},
        400,
        "invalid_request",
        "currency",
    ),
    (
        "quantity-zero",
        {"planId": "starter", "addons": [{"addonId": "extra-seats", "quantity": 0}]},
        400,
        "invalid_request",
        "addons.0.quantity",
    ),
]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [refusal[1:] for refusal in REFUSALS],
    ids=[refusal[0] for refusal in REFUSALS],
)
def test_refused_create_answers_the_error_and_creates_nothing(
    server, customer_id, archived_plan, body, status, code, field
):
    body = {"currency": "USD", **body}
    if body["planId"] == "ARCHIVED":
        body["planId"] = archived_plan
    if body["currency"] is None:
        del body["currency"]

    assert_error(server.post(_path(customer_id), json=body), status, code, field)
    assert_error(server.get(_path(customer_id)), 404, "no_subscription")


def test_unknown_customer_is_a_404_for_create_and_get(server, uid):
    missing = f"nobody-{uid}"

    assert_error(_create(server, missing, planId="starter"), 404, "customer_not_found")
    assert_error(server.get(_path(missing)), 404, "customer_not_found")


def test_customer_without_a_subscription_gets_no_subscription(server, customer_id):
    assert_error(server.get(_path(customer_id)), 404, "no_subscription")


# --- one live subscription ----------------------------------------------------------------------


def test_one_live_subscription_and_a_repeated_create_is_a_retry(server, customer_id):
    terms = {"planId": "starter", "addons": [{"addonId": "extra-seats", "quantity": 2}]}
    first = _create(server, customer_id, **terms)
    assert first.status_code == 201, first.text

    retried = _create(server, customer_id, **terms)
    other_quantity = _create(
        server, customer_id, planId="starter", addons=[{"addonId": "extra-seats", "quantity": 3}]
    )
    other_plan = _create(server, customer_id, planId="pro", trialDays=0)

    assert retried.status_code == 201, retried.text
    assert retried.json()["id"] == first.json()["id"]
    assert _terms(retried.json()) == _terms(first.json())
    assert_error(other_quantity, 409, "subscription_exists")
    assert_error(other_plan, 409, "subscription_exists")
    assert _terms(server.get(_path(customer_id)).json()) == _terms(first.json())


def _terms(subscription: dict) -> dict:
    """The subscription without what the billing worker may change meanwhile (the customer has
    no card, so its first charge fails and the subscription becomes past_due)."""
    return {
        k: v
        for k, v in subscription.items()
        if k not in {"status", "revision", "updatedAt", "nextInvoice"}
    }


def test_concurrent_creates_for_one_customer_leave_exactly_one(server, customer_id):
    quantities = range(1, 9)

    def create(quantity: int):
        return _create(
            server,
            customer_id,
            planId="starter",
            addons=[{"addonId": "extra-seats", "quantity": quantity}],
        )

    with ThreadPoolExecutor(max_workers=len(quantities)) as pool:
        responses = list(pool.map(create, quantities))

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (len(quantities) - 1), [r.text for r in responses]
    [winner] = [r.json() for r in responses if r.status_code == 201]
    for loser in (r for r in responses if r.status_code != 201):
        assert_error(loser, 409, "subscription_exists")
    assert server.get(_path(customer_id)).json() == winner
    # Only the winning transaction wrote: one billing record, for the winner's terms.
    records = deps.table().query(f"CUSTOMER#{customer_id}", sort_key_prefix="BILLING#").items
    assert [r["subscription_id"] for r in records] == [winner["id"]]
    assert sum(line["amount"] for line in records[0]["lines"]) == winner["nextInvoice"]["amount"]


# --- portal tokens ------------------------------------------------------------------------------


def test_portal_token_reaches_only_its_own_customers_subscription(
    server, create_customer, portal_token, client_with
):
    mine, theirs = create_customer("subs")["id"], create_customer("subs")["id"]
    portal = client_with(portal_token(mine))

    created = portal.post(_path(mine), json={"planId": "starter", "currency": "USD"})
    assert created.status_code == 201, created.text
    read = portal.get(_path(mine))
    assert read.status_code == 200, read.text
    assert read.json() == created.json() == server.get(_path(mine)).json()

    assert_error(portal.post(_path(theirs), json={"planId": "starter", "currency": "USD"}), 403)
    assert_error(portal.get(_path(theirs)), 403)
    assert_error(server.get(_path(theirs)), 404, "no_subscription")
