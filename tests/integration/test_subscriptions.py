"""Subscriptions against the real DynamoDB API (moto server): create, read, and what a create
writes besides the subscription (materialized entitlements, billing record).

Every test runs the domain on a FixedClock, so periods and trials are exact; the catalog is this
module's own (unique ids), so every amount below is computed from the numbers set up here.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from billfold_lambda import dependencies as deps

from billfold.catalog.addons import archive_addon, create_addon
from billfold.catalog.features import create_feature
from billfold.catalog.models import AddonCreate, FeatureCreate, PlanCreate
from billfold.catalog.plans import create_plan
from billfold.clock import FixedClock
from billfold.customers.models import CustomerCreate
from billfold.customers.service import create_customer
from billfold.entitlements.models import MaterializedEntitlements
from billfold.errors import Conflict, InvalidInput, NotFound, RuleViolation
from billfold.storage import keys
from billfold.storage.table import ConditionFailed, Table
from billfold.subscriptions.creation import create_subscription
from billfold.subscriptions.models import SubscriptionCreate
from billfold.subscriptions.reads import get_subscription

NOW = datetime(2030, 1, 31, 10, 30, tzinfo=UTC)
"""A month-end "now": one calendar month later is Feb 28 (the day clamps)."""

# The module's catalog, in minor units.
PARENT_SEATS, PARENT_CALLS = 2, 1_000
TEAM_SEATS = 5
TEAM_USD_MONTHLY, TEAM_USD_ANNUAL, TEAM_EUR_MONTHLY = 2_500, 25_000, 2_300
TRIAL_DAYS, TRIAL_USD_MONTHLY, TRIAL_SEATS = 10, 4_000, 10
SEAT_USD_MONTHLY, SEAT_USD_ANNUAL, SEAT_EUR_MONTHLY = 300, 3_000, 280
SEAT_CALLS, SEAT_MAX = 500, 20
CARE_USD_MONTHLY = 1_000


@dataclass(frozen=True)
class Catalog:
    """The ids of this module's features, plans and add-ons."""

    seats: str
    calls: str
    base_flag: str
    sso: str
    support: str
    parent: str
    team: str
    trial: str
    gratis: str
    seat_addon: str
    care_addon: str
    retired_addon: str


@pytest.fixture(scope="module")
def catalog(local_api) -> Catalog:
    """Features, a parent plan, a paid child plan, a trial plan, a free plan and add-ons."""
    table, clock, u = deps.table(), deps.clock(), uuid.uuid4().hex[:8]
    ids = Catalog(
        seats=f"seats-{u}",
        calls=f"calls-{u}",
        base_flag=f"base-flag-{u}",
        sso=f"sso-{u}",
        support=f"support-{u}",
        parent=f"parent-{u}",
        team=f"team-{u}",
        trial=f"trial-{u}",
        gratis=f"gratis-{u}",
        seat_addon=f"more-seats-{u}",
        care_addon=f"care-{u}",
        retired_addon=f"retired-{u}",
    )
    unit = {"singular": "unit", "plural": "units"}
    for feature_id, kind in [
        (ids.seats, "numeric"),
        (ids.calls, "metered"),
        (ids.base_flag, "boolean"),
        (ids.sso, "boolean"),
        (ids.support, "boolean"),
    ]:
        create_feature(
            table,
            FeatureCreate.model_validate(
                {
                    "id": feature_id,
                    "name": feature_id,
                    "type": kind,
                    "unit": None if kind == "boolean" else unit,
                }
            ),
            clock,
        )

    def price(period: str, currency: str, amount: int) -> dict:
        return {"billingPeriod": period, "currency": currency, "amount": amount}

    plans = [
        {
            "id": ids.parent,
            "name": "Parent",
            "prices": [price("monthly", "USD", 1_000)],
            "entitlements": [
                {"featureId": ids.base_flag},
                {"featureId": ids.seats, "value": PARENT_SEATS},
                {"featureId": ids.calls, "limit": PARENT_CALLS},
            ],
        },
        {
            "id": ids.team,
            "name": "Team",
            "parentPlanId": ids.parent,
            "prices": [
                price("monthly", "USD", TEAM_USD_MONTHLY),
                price("annual", "USD", TEAM_USD_ANNUAL),
                price("monthly", "EUR", TEAM_EUR_MONTHLY),
            ],
            "entitlements": [{"featureId": ids.seats, "value": TEAM_SEATS}, {"featureId": ids.sso}],
        },
        {
            "id": ids.trial,
            "name": "Trial plan",
            "trialDays": TRIAL_DAYS,
            "prices": [price("monthly", "USD", TRIAL_USD_MONTHLY)],
            "entitlements": [{"featureId": ids.seats, "value": TRIAL_SEATS}],
        },
        {
            "id": ids.gratis,
            "name": "Gratis",
            "entitlements": [{"featureId": ids.calls, "limit": 9}],
        },
    ]
    for plan in plans:
        create_plan(table, PlanCreate.model_validate(plan), clock)
    addons = [
        {
            "id": ids.seat_addon,
            "name": "More seats",
            "maxQuantity": SEAT_MAX,
            "planIds": [ids.team, ids.trial, ids.gratis],
            "prices": [
                price("monthly", "USD", SEAT_USD_MONTHLY),
                price("annual", "USD", SEAT_USD_ANNUAL),
                price("monthly", "EUR", SEAT_EUR_MONTHLY),
            ],
            "entitlements": [
                {"featureId": ids.seats, "value": 1},
                {"featureId": ids.calls, "limit": SEAT_CALLS},
            ],
        },
        {
            "id": ids.care_addon,
            "name": "Care",
            "planIds": [ids.team],
            "prices": [price("monthly", "USD", CARE_USD_MONTHLY)],
            "entitlements": [{"featureId": ids.support}],
        },
        {"id": ids.retired_addon, "name": "Retired", "planIds": [ids.team]},
    ]
    for addon in addons:
        create_addon(table, AddonCreate.model_validate(addon), clock)
    archive_addon(table, ids.retired_addon)
    return ids


@pytest.fixture
def customer_id(table, stripe_customers, clock, uid) -> str:
    """A fresh customer, created the way the API creates one."""
    request = CustomerCreate(id=f"sub-{uid}", email=f"sub-{uid}@example.com", name="Sub Co")
    return create_customer(table, stripe_customers, request, clock).id


def _request(plan_id: str, **fields) -> SubscriptionCreate:
    return SubscriptionCreate.model_validate({"planId": plan_id, "currency": "USD", **fields})


def _subscribe(table, customer_id, plan_id, at=NOW, **fields):
    return create_subscription(table, customer_id, _request(plan_id, **fields), FixedClock(at))


def _billing_records(table, customer_id) -> list[dict]:
    return table.query(f"CUSTOMER#{customer_id}", sort_key_prefix="BILLING#", limit=100).items


def _entitlements(table, customer_id) -> MaterializedEntitlements:
    return MaterializedEntitlements.model_validate(table.get(keys.entitlements(customer_id)))


# --- create and read ----------------------------------------------------------------------------


def test_paid_monthly_create_is_active_with_catalog_prices_and_a_month_long_period(
    table, catalog, customer_id
):
    addons = [{"addonId": catalog.seat_addon, "quantity": 3}, {"addonId": catalog.care_addon}]

    created = _subscribe(table, customer_id, catalog.team, addons=addons, trialDays=0)

    assert created.id.startswith("sub_")
    assert (created.customer_id, created.status) == (customer_id, "active")
    assert (created.plan_id, created.plan_version, created.plan_name) == (catalog.team, 1, "Team")
    assert (created.billing_period, created.currency, created.price) == (
        "monthly",
        "USD",
        TEAM_USD_MONTHLY,
    )
    assert [(a.addon_id, a.version, a.name, a.quantity, a.unit_amount) for a in created.addons] == [
        (catalog.seat_addon, 1, "More seats", 3, SEAT_USD_MONTHLY),
        (catalog.care_addon, 1, "Care", 1, CARE_USD_MONTHLY),
    ]
    assert created.billing_anchor == created.current_period_start == NOW
    assert created.current_period_end == datetime(2030, 2, 28, 10, 30, tzinfo=UTC)
    assert created.trial_end is None
    assert (created.cancel_at_period_end, created.canceled_at, created.scheduled_change) == (
        False,
        None,
        None,
    )
    assert created.created_at == created.updated_at == NOW
    assert created.next_invoice is not None
    assert created.next_invoice.amount == TEAM_USD_MONTHLY + 3 * SEAT_USD_MONTHLY + CARE_USD_MONTHLY
    assert created.next_invoice.currency == "USD"
    assert created.next_invoice.date == created.current_period_end
    assert get_subscription(table, customer_id) == created


def test_annual_eur_and_usd_prices_come_from_the_matching_catalog_price(
    table, catalog, customer_id, stripe_customers, clock
):
    leap_day = datetime(2032, 2, 29, 8, 0, tzinfo=UTC)
    seats = [{"addonId": catalog.seat_addon, "quantity": 2}]

    annual = _subscribe(
        table, customer_id, catalog.team, at=leap_day, billingPeriod="annual", addons=seats
    )

    assert (annual.billing_period, annual.price) == ("annual", TEAM_USD_ANNUAL)
    assert annual.addons[0].unit_amount == SEAT_USD_ANNUAL
    assert annual.current_period_start == leap_day
    assert annual.current_period_end == datetime(2033, 2, 28, 8, 0, tzinfo=UTC)
    assert annual.next_invoice.amount == TEAM_USD_ANNUAL + 2 * SEAT_USD_ANNUAL

    other = create_customer(
        table,
        stripe_customers,
        CustomerCreate(id=f"{customer_id}-eur", email="eur@example.com", name="Euro"),
        clock,
    ).id
    euros = _subscribe(table, other, catalog.team, currency="EUR", addons=seats)

    assert (euros.currency, euros.price, euros.addons[0].unit_amount) == (
        "EUR",
        TEAM_EUR_MONTHLY,
        SEAT_EUR_MONTHLY,
    )
    assert euros.next_invoice.amount == TEAM_EUR_MONTHLY + 2 * SEAT_EUR_MONTHLY
    assert euros.next_invoice.currency == "EUR"


def test_get_reads_back_what_create_returned(table, catalog, customer_id):
    created = _subscribe(table, customer_id, catalog.team)

    assert get_subscription(table, customer_id) == created
    stored = table.get(keys.subscription(customer_id), consistent=True)
    assert (stored["kind"], stored["id"], stored["revision"]) == ("subscription", created.id, 1)
    # The billing run finds it at its period end, on one of the due-work shards.
    assert stored["gsi2pk"].startswith("DUE#")
    assert stored["gsi2sk"] == f"2030-02-28T10:30:00.000000Z#{customer_id}"


# --- trials -------------------------------------------------------------------------------------


def test_plan_trial_makes_a_trialing_subscription_that_bills_nothing_yet(
    table, catalog, customer_id
):
    seats = [{"addonId": catalog.seat_addon, "quantity": 2}]

    created = _subscribe(table, customer_id, catalog.trial, addons=seats)

    trial_end = NOW + timedelta(days=TRIAL_DAYS)
    assert created.status == "trialing"
    assert created.trial_end == trial_end
    assert (created.current_period_start, created.current_period_end) == (NOW, trial_end)
    assert created.next_invoice.date == trial_end
    assert created.next_invoice.amount == TRIAL_USD_MONTHLY + 2 * SEAT_USD_MONTHLY
    assert _billing_records(table, customer_id) == []
    assert _entitlements(table, customer_id).subscription_status == "trialing"
    stored = table.get(keys.subscription(customer_id), consistent=True)
    assert stored["gsi2sk"] == f"2030-02-10T10:30:00.000000Z#{customer_id}"
    assert get_subscription(table, customer_id) == created


def test_request_trial_days_zero_overrides_the_plans_trial(table, catalog, customer_id):
    created = _subscribe(table, customer_id, catalog.trial, trialDays=0)

    assert (created.status, created.trial_end) == ("active", None)
    assert created.current_period_end == datetime(2030, 2, 28, 10, 30, tzinfo=UTC)
    assert len(_billing_records(table, customer_id)) == 1


def test_request_trial_days_give_a_trial_on_a_plan_without_one(table, catalog, customer_id):
    created = _subscribe(table, customer_id, catalog.team, trialDays=3)

    assert created.status == "trialing"
    assert created.trial_end == created.current_period_end == NOW + timedelta(days=3)
    assert _billing_records(table, customer_id) == []


# --- backdating ---------------------------------------------------------------------------------


def test_backdated_start_puts_now_in_a_period_anchored_to_the_start(table, catalog, customer_id):
    now = datetime(2030, 3, 20, 12, 0, tzinfo=UTC)
    start = now - timedelta(days=45)  # 2030-02-03T12:00Z

    created = _subscribe(table, customer_id, catalog.team, at=now, startAt=start.isoformat())

    assert created.status == "active"
    assert created.billing_anchor == start
    assert created.current_period_start == datetime(2030, 3, 3, 12, 0, tzinfo=UTC)
    assert created.current_period_end == datetime(2030, 4, 3, 12, 0, tzinfo=UTC)
    assert created.current_period_start <= now < created.current_period_end
    [record] = _billing_records(table, customer_id)
    [line] = record["lines"]
    assert (line["amount"], line["period_start"], line["period_end"]) == (
        TEAM_USD_MONTHLY,
        "2030-03-03T12:00:00Z",
        "2030-04-03T12:00:00Z",
    )


def test_backdated_start_past_the_trial_is_active_and_anchored_at_the_trial_end(
    table, catalog, customer_id
):
    now = datetime(2030, 3, 20, 12, 0, tzinfo=UTC)
    start = now - timedelta(days=45)  # trial ran 2030-02-03 .. 2030-02-13

    created = _subscribe(table, customer_id, catalog.trial, at=now, startAt=start.isoformat())

    assert (created.status, created.trial_end) == ("active", None)
    assert created.billing_anchor == datetime(2030, 2, 13, 12, 0, tzinfo=UTC)
    assert created.current_period_start == datetime(2030, 3, 13, 12, 0, tzinfo=UTC)
    assert created.current_period_end == datetime(2030, 4, 13, 12, 0, tzinfo=UTC)


def test_backdated_start_still_inside_the_trial_is_trialing(table, catalog, customer_id):
    start = NOW - timedelta(days=4)

    created = _subscribe(table, customer_id, catalog.trial, startAt=start.isoformat())

    assert created.status == "trialing"
    assert created.current_period_start == start
    assert created.trial_end == created.current_period_end == start + timedelta(days=TRIAL_DAYS)


@pytest.mark.parametrize(
    "start_at",
    [(NOW + timedelta(seconds=1)).isoformat(), "2030-01-01T00:00:00"],
    ids=["future", "no-timezone"],
)
def test_start_in_the_future_or_without_timezone_is_invalid(table, catalog, customer_id, start_at):
    with pytest.raises(InvalidInput) as raised:
        _subscribe(table, customer_id, catalog.team, startAt=start_at)

    assert raised.value.field == "startAt"
    assert table.get(keys.subscription(customer_id), consistent=True) is None


# --- billing record -----------------------------------------------------------------------------


def test_paid_create_writes_one_billing_record_for_the_full_period(table, catalog, customer_id):
    addons = [{"addonId": catalog.seat_addon, "quantity": 4}, {"addonId": catalog.care_addon}]

    created = _subscribe(table, customer_id, catalog.team, addons=addons)

    [record] = _billing_records(table, customer_id)
    assert record["sk"].startswith("BILLING#2030-01-31T10:30:00.000000Z#br_")
    assert (record["kind"], record["status"], record["reason"]) == (
        "billing_record",
        "pending",
        "subscription_created",
    )
    assert (record["customer_id"], record["subscription_id"], record["currency"]) == (
        customer_id,
        created.id,
        "USD",
    )
    period = ("2030-01-31T10:30:00Z", "2030-02-28T10:30:00Z")
    lines = {
        line["key"]: (
            line["kind"],
            line["quantity"],
            line["unit_amount"],
            line["amount"],
            line["currency"],
            (line["period_start"], line["period_end"]),
        )
        for line in record["lines"]
    }
    assert lines == {
        f"plan:{catalog.team}": ("charge", 1, TEAM_USD_MONTHLY, TEAM_USD_MONTHLY, "USD", period),
        f"addon:{catalog.seat_addon}": (
            "charge",
            4,
            SEAT_USD_MONTHLY,
            4 * SEAT_USD_MONTHLY,
            "USD",
            period,
        ),
        f"addon:{catalog.care_addon}": (
            "charge",
            1,
            CARE_USD_MONTHLY,
            CARE_USD_MONTHLY,
            "USD",
            period,
        ),
    }
    assert sum(line["amount"] for line in record["lines"]) == created.next_invoice.amount


def test_free_plan_writes_no_billing_record(table, catalog, customer_id):
    created = _subscribe(table, customer_id, catalog.gratis)

    assert (created.status, created.price, created.addons) == ("active", 0, [])
    assert _billing_records(table, customer_id) == []


def test_free_plan_with_a_paid_addon_bills_only_the_addon(table, catalog, customer_id):
    _subscribe(table, customer_id, catalog.gratis, addons=[{"addonId": catalog.seat_addon}])

    [record] = _billing_records(table, customer_id)
    assert [(line["key"], line["amount"]) for line in record["lines"]] == [
        (f"addon:{catalog.seat_addon}", SEAT_USD_MONTHLY)
    ]


# --- materialized entitlements ------------------------------------------------------------------


def test_new_customer_has_an_empty_entitlements_item(table, customer_id):
    stored = table.get(keys.entitlements(customer_id), consistent=True)

    assert stored is not None
    assert stored["kind"] == "entitlements"
    empty = MaterializedEntitlements.model_validate(stored)
    assert empty.customer_id == customer_id
    assert (empty.subscription_status, empty.subscription_anchor) == (None, None)
    assert (empty.plan_id, empty.plan_version) == (None, None)
    assert empty.entries == {}
    assert not empty.has_subscription


def test_create_materializes_plan_parent_and_addon_entitlements(table, catalog, customer_id):
    addons = [{"addonId": catalog.seat_addon, "quantity": 3}, {"addonId": catalog.care_addon}]

    created = _subscribe(table, customer_id, catalog.team, addons=addons)

    held = _entitlements(table, customer_id)
    assert (held.plan_id, held.plan_version, held.subscription_status) == (
        catalog.team,
        created.plan_version,
        "active",
    )
    assert held.subscription_anchor == created.billing_anchor
    assert held.computed_at == NOW
    assert set(held.entries) == {
        catalog.base_flag,
        catalog.sso,
        catalog.seats,
        catalog.calls,
        catalog.support,
    }
    # The child plan's own seats replace the parent's; add-on units add on top.
    assert held.entries[catalog.seats].value == TEAM_SEATS + 3 * 1
    # Calls come only from the parent plan, plus 3 units of the seat add-on.
    assert held.entries[catalog.calls].limit == PARENT_CALLS + 3 * SEAT_CALLS
    assert held.entries[catalog.base_flag].feature_type == "boolean"
    assert held.entries[catalog.support].sources == [f"addon:{catalog.care_addon}@1x1"]
    assert held.entries[catalog.seats].sources == [
        f"plan:{catalog.team}@1",
        f"addon:{catalog.seat_addon}@1x3",
    ]


# --- refusals -----------------------------------------------------------------------------------


def _error(raised: pytest.ExceptionInfo) -> tuple[type, str, str | None]:
    return type(raised.value), raised.value.code, raised.value.field


def test_unknown_customer_is_not_found(table, catalog, uid):
    with pytest.raises(NotFound) as raised:
        _subscribe(table, f"nobody-{uid}", catalog.team)
    assert raised.value.code == "customer_not_found"
    with pytest.raises(NotFound) as raised:
        get_subscription(table, f"nobody-{uid}")
    assert raised.value.code == "customer_not_found"


def test_customer_without_subscription_has_none(table, customer_id):
    with pytest.raises(NotFound) as raised:
        get_subscription(table, customer_id)
    assert raised.value.code == "no_subscription"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"planId": "no-such-plan"}, (InvalidInput, "unknown_plan", "planId")),
        ({"currency": "JPY"}, (RuleViolation, "price_not_available", "planId")),
        (
            {"currency": "EUR", "addons": [{"addonId": "CARE"}]},
            (RuleViolation, "price_not_available", "addons.0.addonId"),
        ),
        (
            {"addons": [{"addonId": "no-such-addon"}]},
            (InvalidInput, "unknown_addon", "addons.0.addonId"),
        ),
        (
            {"addons": [{"addonId": "SEATS"}, {"addonId": "RETIRED"}]},
            (RuleViolation, "addon_archived", "addons.1.addonId"),
        ),
        (
            {"addons": [{"addonId": "SEATS", "quantity": SEAT_MAX + 1}]},
            (RuleViolation, "quantity_above_max", "addons.0.quantity"),
        ),
        (
            {"planId": "TRIAL", "addons": [{"addonId": "CARE"}]},
            (RuleViolation, "addon_not_allowed", "addons.0.addonId"),
        ),
    ],
    ids=[
        "unknown-plan",
        "no-plan-price",
        "no-addon-price",
        "unknown-addon",
        "archived-addon",
        "above-max",
        "not-allowed",
    ],
)
def test_refused_creates_write_nothing(table, catalog, customer_id, fields, expected):
    names = {"SEATS": catalog.seat_addon, "CARE": catalog.care_addon, "TRIAL": catalog.trial}
    names["RETIRED"] = catalog.retired_addon
    fields = {"planId": catalog.team, **fields}
    fields["planId"] = names.get(fields["planId"], fields["planId"])
    fields["addons"] = [
        {**addon, "addonId": names.get(addon["addonId"], addon["addonId"])}
        for addon in fields.get("addons", [])
    ]

    request = SubscriptionCreate.model_validate({"currency": "USD", **fields})

    with pytest.raises((InvalidInput, RuleViolation)) as raised:
        create_subscription(table, customer_id, request, FixedClock(NOW))

    assert _error(raised) == expected
    assert table.get(keys.subscription(customer_id), consistent=True) is None
    assert _entitlements(table, customer_id).plan_id is None
    assert _billing_records(table, customer_id) == []


def test_quantity_at_the_max_is_accepted(table, catalog, customer_id):
    created = _subscribe(
        table, customer_id, catalog.team, addons=[{"addonId": catalog.seat_addon, "quantity": 20}]
    )
    assert created.next_invoice.amount == TEAM_USD_MONTHLY + SEAT_MAX * SEAT_USD_MONTHLY


def test_an_addon_listed_twice_is_refused_by_the_request():
    with pytest.raises(ValidationError, match="listed twice"):
        _request("team", addons=[{"addonId": "a"}, {"addonId": "a", "quantity": 2}])


# --- one live subscription ----------------------------------------------------------------------


def test_second_create_with_other_terms_conflicts_and_changes_nothing(table, catalog, customer_id):
    first = _subscribe(table, customer_id, catalog.team)

    for other in [
        {"addons": [{"addonId": catalog.seat_addon}]},
        {"billingPeriod": "annual"},
        {"currency": "EUR"},
    ]:
        with pytest.raises(Conflict) as raised:
            _subscribe(table, customer_id, catalog.team, at=NOW + timedelta(hours=1), **other)
        assert raised.value.code == "subscription_exists"
    with pytest.raises(Conflict):
        _subscribe(table, customer_id, catalog.trial)

    assert get_subscription(table, customer_id) == first
    assert len(_billing_records(table, customer_id)) == 1
    assert _entitlements(table, customer_id).plan_id == catalog.team


def test_repeating_the_same_create_returns_the_live_subscription(table, catalog, customer_id):
    addons = [{"addonId": catalog.seat_addon, "quantity": 2}, {"addonId": catalog.care_addon}]
    first = _subscribe(table, customer_id, catalog.team, addons=addons)

    again = _subscribe(
        table, customer_id, catalog.team, at=NOW + timedelta(minutes=5), addons=addons[::-1]
    )

    assert again == first
    assert len(_billing_records(table, customer_id)) == 1


def test_a_create_asking_for_another_trial_is_not_a_retry(table, catalog, customer_id):
    first = _subscribe(table, customer_id, catalog.team, trialDays=0)

    with pytest.raises(Conflict) as raised:
        _subscribe(table, customer_id, catalog.team, trialDays=14)

    assert raised.value.code == "subscription_exists"
    assert get_subscription(table, customer_id) == first


class _LosesTheTransactionOnce(Table):
    """The table as DynamoDB answers when the create's transaction is cancelled with
    `TransactionConflict` (another write to the subscription or entitlements item was in
    flight) and that other write does not leave a subscription behind."""

    def __init__(self, table: Table) -> None:
        super().__init__(table.name, table._client)
        self.lost = False

    def transact(self, puts) -> None:
        if not self.lost:
            self.lost = True
            raise ConditionFailed([1])  # what Table.transact raises for TransactionConflict
        super().transact(puts)


def test_a_transaction_conflict_without_a_live_subscription_is_a_conflict_not_a_crash(
    table, catalog, customer_id
):
    racing = _LosesTheTransactionOnce(table)

    with pytest.raises(Conflict):
        _subscribe(racing, customer_id, catalog.team)
