"""Changing a subscription against the real DynamoDB API (moto server): preview and change,
upgrades, downgrades, billing period switches, add-ons, fallback plans and trial ends.

Every change runs on a FixedClock. The period is March 2030 (31 days); most changes happen on
March 11 at 00:00, with 21 of the 31 days left, so a price P prorates to P x 21 / 31 rounded
half up — each expected amount below is that arithmetic on this module's catalog.
"""

import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billfold_lambda import dependencies as deps

from billfold.access.checks import check_feature
from billfold.catalog.addons import create_addon
from billfold.catalog.features import create_feature
from billfold.catalog.models import AddonCreate, FeatureCreate, PlanCreate
from billfold.catalog.plans import create_plan
from billfold.clock import FixedClock
from billfold.customers.models import CustomerCreate
from billfold.customers.service import create_customer
from billfold.errors import Conflict, InvalidInput, RuleViolation
from billfold.subscriptions.cancellation import CancelRequest, cancel_subscription
from billfold.subscriptions.changes import save_change
from billfold.subscriptions.creation import create_subscription
from billfold.subscriptions.models import SubscriptionChange, SubscriptionCreate
from billfold.subscriptions.plan_change import change_subscription, plan_change, preview_change
from billfold.subscriptions.reads import get_subscription
from billfold.subscriptions.transitions import advance_subscription
from billfold.usage.requests import UsageReport
from billfold.usage.service import report_usage

START = datetime(2030, 3, 1, tzinfo=UTC)
DAY_10 = datetime(2030, 3, 11, tzinfo=UTC)
"""21 of March's 31 days remain."""
MARCH_END = datetime(2030, 4, 1, tzinfo=UTC)

BASIC, BASIC_ANNUAL, PRO, FLEX, RESET, TRIAL = 1_000, 10_000, 3_000, 2_000, 4_000, 2_000
SEAT, SEAT_ANNUAL = 500, 5_000
FREE_CALLS, BASIC_CALLS, PRO_CALLS = 100, 1_000, 5_000


def share(amount: int) -> int:
    """amount x 21/31, rounded half up: the prorated share of March from March 11."""
    return (2 * amount * 21 + 31) // (2 * 31)


@dataclass(frozen=True)
class Catalog:
    calls: str
    sso: str
    free: str
    basic: str
    pro: str
    flex: str
    reset: str
    trial: str
    seats: str


@pytest.fixture(scope="module")
def catalog(local_api) -> Catalog:
    table, clock, u = deps.table(), deps.clock(), uuid.uuid4().hex[:8]
    ids = Catalog(*(f"{name}-{u}" for name in Catalog.__dataclass_fields__))
    unit = {"singular": "call", "plural": "calls"}
    create_feature(
        table,
        FeatureCreate.model_validate(
            {"id": ids.calls, "name": "Calls", "type": "metered", "unit": unit}
        ),
        clock,
    )
    create_feature(
        table,
        FeatureCreate.model_validate({"id": ids.sso, "name": "SSO", "type": "boolean"}),
        clock,
    )

    def prices(monthly: int, annual: int | None = None) -> list[dict]:
        found = [{"billingPeriod": "monthly", "currency": "USD", "amount": monthly}]
        if annual is not None:
            found.append({"billingPeriod": "annual", "currency": "USD", "amount": annual})
        return found

    def calls(limit: int) -> dict:
        return {"featureId": ids.calls, "limit": limit}

    plans = [
        {"id": ids.free, "name": "Free", "entitlements": [calls(FREE_CALLS)]},
        {
            "id": ids.basic,
            "name": "Basic",
            "prices": prices(BASIC, BASIC_ANNUAL),
            "entitlements": [calls(BASIC_CALLS)],
            "fallbackPlanId": ids.free,
        },
        {
            "id": ids.pro,
            "name": "Pro",
            "prices": prices(PRO, 30_000),
            "entitlements": [calls(PRO_CALLS), {"featureId": ids.sso}],
            "fallbackPlanId": ids.free,
        },
        {
            "id": ids.flex,
            "name": "Flex",
            "prices": prices(FLEX),
            "entitlements": [calls(2_000)],
            "downgradeTiming": "immediate",
        },
        {
            "id": ids.reset,
            "name": "Reset",
            "prices": prices(RESET),
            "entitlements": [calls(10_000)],
            "resetUsageOnChange": True,
        },
        {
            "id": ids.trial,
            "name": "Trial",
            "trialDays": 7,
            "prices": prices(TRIAL),
            "entitlements": [calls(BASIC_CALLS)],
            "fallbackPlanId": ids.free,
        },
    ]
    for plan in plans:
        create_plan(table, PlanCreate.model_validate(plan), clock)
    seats = {
        "id": ids.seats,
        "name": "Seats",
        "maxQuantity": 5,
        "planIds": [ids.basic, ids.pro, ids.flex],
        "prices": prices(SEAT, SEAT_ANNUAL),
    }
    create_addon(table, AddonCreate.model_validate(seats), clock)
    return ids


@pytest.fixture
def customer_id(table, stripe_customers, clock, uid) -> str:
    request = CustomerCreate(id=f"chg-{uid}", email=f"chg-{uid}@example.com", name="Change Co")
    return create_customer(table, stripe_customers, request, clock).id


def subscribe(table, customer_id, plan_id, at=START, **fields):
    request = SubscriptionCreate.model_validate({"planId": plan_id, "currency": "USD", **fields})
    return create_subscription(table, customer_id, request, FixedClock(at))


def change(table, customer_id, at=DAY_10, **fields):
    request = SubscriptionChange.model_validate(fields)
    return change_subscription(table, customer_id, request, FixedClock(at))


def preview(table, customer_id, at=DAY_10, **fields):
    request = SubscriptionChange.model_validate(fields)
    return preview_change(table, customer_id, request, FixedClock(at))


def records(table, customer_id, reason: str | None = None) -> list[dict]:
    found = table.query(f"CUSTOMER#{customer_id}", sort_key_prefix="BILLING#", limit=100).items
    return [r for r in found if reason is None or r["reason"] == reason]


def amounts(lines) -> list[tuple[str, int]]:
    return [(line.kind, line.amount) for line in lines]


# --- preview and change -------------------------------------------------------------------------


def test_an_upgrade_applies_now_and_bills_exactly_what_its_preview_said(
    table, catalog, customer_id
):
    subscribe(table, customer_id, catalog.basic)

    previewed = preview(table, customer_id, planId=catalog.pro)
    assert get_subscription(table, customer_id).revision == 1  # a preview writes nothing
    applied = change(table, customer_id, planId=catalog.pro)

    assert applied.change == previewed
    assert previewed.timing == "now"
    assert amounts(previewed.lines) == [("credit", -share(BASIC)), ("charge", share(PRO))]
    assert previewed.due_now == share(PRO) - share(BASIC) == 1_355
    assert previewed.credit == 0
    assert previewed.next_renewal is not None
    assert (previewed.next_renewal.amount, previewed.next_renewal.date) == (PRO, MARCH_END)
    after = applied.subscription
    assert (after.plan_id, after.price, after.revision) == (catalog.pro, PRO, 2)
    assert (after.current_period_start, after.current_period_end) == (START, MARCH_END)
    [record] = records(table, customer_id, "change")
    assert [(line["kind"], line["amount"]) for line in record["lines"]] == amounts(previewed.lines)
    check = check_feature(table, customer_id, catalog.sso, 1, FixedClock(DAY_10))
    assert check.has_access


def test_repeating_an_applied_change_changes_and_bills_nothing(table, catalog, customer_id):
    subscribe(table, customer_id, catalog.basic)
    change(table, customer_id, planId=catalog.pro)

    again = change(table, customer_id, planId=catalog.pro)

    assert (again.change.timing, again.change.lines, again.change.due_now) == ("nothing", [], 0)
    assert again.subscription.revision == 2
    assert len(records(table, customer_id, "change")) == 1


def test_a_downgrade_is_scheduled_for_period_end_and_applied_at_renewal(
    table, catalog, customer_id, payment_methods
):
    subscribe(table, customer_id, catalog.pro, addons=[{"addonId": catalog.seats, "quantity": 2}])

    scheduled = change(table, customer_id, planId=catalog.basic)

    assert (scheduled.change.timing, scheduled.change.effective_at) == ("period_end", MARCH_END)
    assert (scheduled.change.lines, scheduled.change.due_now) == ([], 0)
    held = scheduled.subscription
    assert held.plan_id == catalog.pro
    assert held.scheduled_change is not None
    assert held.scheduled_change.plan_id == catalog.basic
    assert scheduled.change.next_renewal is not None
    assert scheduled.change.next_renewal.amount == BASIC + 2 * SEAT
    assert records(table, customer_id, "change") == []

    assert advance_subscription(table, customer_id, MARCH_END, payment_methods) == 1
    renewed = get_subscription(table, customer_id)
    assert (renewed.plan_id, renewed.price, renewed.scheduled_change) == (
        catalog.basic,
        BASIC,
        None,
    )
    assert [(a.addon_id, a.quantity) for a in renewed.addons] == [(catalog.seats, 2)]
    [renewal] = records(table, customer_id, "renewal")
    assert sum(line["amount"] for line in renewal["lines"]) == BASIC + 2 * SEAT
    check = check_feature(table, customer_id, catalog.calls, 1, FixedClock(MARCH_END))
    assert check.limit == BASIC_CALLS
    assert not check_feature(table, customer_id, catalog.sso, 1, FixedClock(MARCH_END)).has_access


def test_asking_for_the_current_terms_cancels_a_scheduled_downgrade(table, catalog, customer_id):
    subscribe(table, customer_id, catalog.pro)
    change(table, customer_id, planId=catalog.basic)

    kept = change(table, customer_id, planId=catalog.pro)

    assert (kept.change.timing, kept.change.lines) == ("now", [])
    assert kept.subscription.scheduled_change is None
    assert kept.subscription.plan_id == catalog.pro


def test_a_plan_with_immediate_downgrades_credits_the_difference_now(table, catalog, customer_id):
    subscribe(table, customer_id, catalog.flex)

    applied = change(table, customer_id, planId=catalog.basic)

    assert applied.change.timing == "now"
    assert amounts(applied.change.lines) == [("credit", -share(FLEX)), ("charge", share(BASIC))]
    assert applied.change.credit == share(FLEX) - share(BASIC) == 678
    assert applied.change.due_now == 0
    assert applied.subscription.plan_id == catalog.basic


def test_monthly_to_annual_restarts_the_cycle_now_and_usage_survives(table, catalog, customer_id):
    subscribe(table, customer_id, catalog.basic)
    report = UsageReport(
        customer_id=customer_id, feature_id=catalog.calls, value=40, idempotency_key="a"
    )
    report_usage(table, report, FixedClock(DAY_10 - timedelta(days=1)))

    applied = change(table, customer_id, billingPeriod="annual")

    assert amounts(applied.change.lines) == [("credit", -share(BASIC)), ("charge", BASIC_ANNUAL)]
    assert applied.change.due_now == BASIC_ANNUAL - share(BASIC)
    after = applied.subscription
    assert (after.billing_period, after.billing_anchor) == ("annual", DAY_10)
    assert (after.current_period_start, after.current_period_end) == (
        DAY_10,
        datetime(2031, 3, 11, tzinfo=UTC),
    )
    assert after.usage_anchor == START
    assert check_feature(table, customer_id, catalog.calls, 1, FixedClock(DAY_10)).usage == 40


def test_annual_to_monthly_is_scheduled_for_the_end_of_the_year(
    table, catalog, customer_id, payment_methods
):
    subscribe(table, customer_id, catalog.basic, billingPeriod="annual")
    year_end = datetime(2031, 3, 1, tzinfo=UTC)

    scheduled = change(table, customer_id, billingPeriod="monthly")

    assert (scheduled.change.timing, scheduled.change.effective_at) == ("period_end", year_end)
    assert scheduled.subscription.billing_period == "annual"
    advance_subscription(table, customer_id, year_end, payment_methods)
    monthly = get_subscription(table, customer_id)
    assert (monthly.billing_period, monthly.price) == ("monthly", BASIC)
    assert (monthly.current_period_start, monthly.current_period_end) == (
        year_end,
        datetime(2031, 4, 1, tzinfo=UTC),
    )
    [renewal] = records(table, customer_id, "renewal")
    assert sum(line["amount"] for line in renewal["lines"]) == BASIC


def test_adding_and_changing_add_on_quantities_is_prorated(table, catalog, customer_id):
    subscribe(table, customer_id, catalog.basic)

    added = change(table, customer_id, addons=[{"addonId": catalog.seats, "quantity": 2}])
    more = change(table, customer_id, addons=[{"addonId": catalog.seats, "quantity": 3}])

    assert amounts(added.change.lines) == [("charge", share(2 * SEAT))]
    assert amounts(more.change.lines) == [("credit", -share(2 * SEAT)), ("charge", share(3 * SEAT))]
    assert more.subscription.period_total == BASIC + 3 * SEAT
    removed = change(table, customer_id, addons=[])
    assert removed.change.timing == "period_end"
    assert removed.subscription.scheduled_change is not None
    assert removed.subscription.scheduled_change.addons == []


@pytest.mark.parametrize(
    ("fields", "error", "code", "field"),
    [
        (lambda c: {"planId": c.free}, RuleViolation, "addon_not_allowed", "addons.0.addonId"),
        (
            lambda c: {"addons": [{"addonId": c.seats, "quantity": 6}]},
            RuleViolation,
            "quantity_above_max",
            "addons.0.quantity",
        ),
        (
            lambda c: {"addons": [{"addonId": "nope", "quantity": 1}]},
            InvalidInput,
            "unknown_addon",
            "addons.0.addonId",
        ),
        (lambda c: {"planId": "no-such-plan"}, InvalidInput, "unknown_plan", "planId"),
    ],
)
def test_refused_changes_name_the_field_and_write_nothing(
    table, catalog, customer_id, fields, error, code, field
):
    subscribe(table, customer_id, catalog.basic, addons=[{"addonId": catalog.seats, "quantity": 1}])

    with pytest.raises(error) as refused:
        change(table, customer_id, **fields(catalog))

    assert (refused.value.code, refused.value.field) == (code, field)
    assert get_subscription(table, customer_id).revision == 1


def test_changes_in_a_trial_apply_at_once_and_bill_nothing(table, catalog, customer_id):
    subscribe(table, customer_id, catalog.trial)

    applied = change(table, customer_id, at=START + timedelta(days=2), planId=catalog.pro)

    assert (applied.change.timing, applied.change.lines, applied.change.due_now) == ("now", [], 0)
    assert applied.subscription.status == "trialing"
    assert applied.subscription.plan_id == catalog.pro
    assert records(table, customer_id) == []


def test_a_canceled_or_overdue_subscription_cannot_change(table, catalog, customer_id):
    subscribe(table, customer_id, catalog.flex)
    with pytest.raises(Conflict) as overdue:
        change(table, customer_id, at=MARCH_END, planId=catalog.pro)
    assert overdue.value.code == "renewal_pending"

    cancel_subscription(table, customer_id, CancelRequest(at_period_end=False), FixedClock(DAY_10))
    with pytest.raises(Conflict) as canceled:
        change(table, customer_id, planId=catalog.pro)
    assert canceled.value.code == "subscription_canceled"


# --- usage across changes -----------------------------------------------------------------------


def test_usage_survives_an_upgrade_and_a_resetting_plan_restarts_it(table, catalog, customer_id):
    subscribe(table, customer_id, catalog.basic)
    report = UsageReport(
        customer_id=customer_id, feature_id=catalog.calls, value=70, idempotency_key="u"
    )
    report_usage(table, report, FixedClock(DAY_10))

    upgraded = change(table, customer_id, planId=catalog.pro)
    assert not upgraded.change.resets_usage
    assert check_feature(table, customer_id, catalog.calls, 1, FixedClock(DAY_10)).usage == 70

    reset = change(table, customer_id, planId=catalog.reset)
    assert reset.change.resets_usage
    assert check_feature(table, customer_id, catalog.calls, 1, FixedClock(DAY_10)).usage == 0


def test_a_downgrade_below_current_usage_is_allowed_and_reported(table, catalog, customer_id):
    subscribe(table, customer_id, catalog.flex)
    report = UsageReport(
        customer_id=customer_id, feature_id=catalog.calls, value=1_500, idempotency_key="big"
    )
    report_usage(table, report, FixedClock(DAY_10))

    applied = change(table, customer_id, planId=catalog.basic)

    assert [(o.feature_id, o.usage, o.limit) for o in applied.change.over_limit] == [
        (catalog.calls, 1_500, BASIC_CALLS)
    ]
    denied = check_feature(table, customer_id, catalog.calls, 1, FixedClock(DAY_10))
    assert (denied.has_access, denied.reason) == (False, "limit_exceeded")


# --- concurrency ----------------------------------------------------------------------------------


def test_of_parallel_changes_to_one_subscription_exactly_one_wins(table, catalog, customer_id):
    subscribe(table, customer_id, catalog.basic)
    targets = [catalog.pro, catalog.flex, catalog.reset] * 3
    planned = [
        plan_change(table, customer_id, SubscriptionChange(plan_id=t), DAY_10) for t in targets
    ]
    barrier = threading.Barrier(len(planned))
    outcomes: list[str] = []

    def apply(index: int) -> None:
        barrier.wait()
        p = planned[index]
        try:
            save_change(table, p.before, p.after, DAY_10, p.record)
            outcomes.append("won")
        except Conflict as refused:
            outcomes.append(refused.code)

    threads = [threading.Thread(target=apply, args=(i,)) for i in range(len(planned))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["concurrent_modification"] * (len(planned) - 1) + ["won"]
    assert get_subscription(table, customer_id).revision == 2
    assert len(records(table, customer_id, "change")) == 1


# --- fallback plans and trial ends ----------------------------------------------------------------


def test_cancel_now_moves_to_the_fallback_plan(table, catalog, customer_id):
    subscribe(table, customer_id, catalog.basic, addons=[{"addonId": catalog.seats, "quantity": 1}])

    moved = cancel_subscription(
        table, customer_id, CancelRequest(at_period_end=False), FixedClock(DAY_10)
    )

    assert (moved.status, moved.plan_id, moved.addons, moved.price) == (
        "active",
        catalog.free,
        [],
        0,
    )
    assert (moved.current_period_start, moved.current_period_end) == (
        DAY_10,
        datetime(2030, 4, 11, tzinfo=UTC),
    )
    assert (
        check_feature(table, customer_id, catalog.calls, 1, FixedClock(DAY_10)).limit == FREE_CALLS
    )


def test_cancel_at_period_end_moves_to_the_fallback_plan_then(
    table, catalog, customer_id, payment_methods
):
    subscribe(table, customer_id, catalog.pro)
    cancel_subscription(table, customer_id, CancelRequest(), FixedClock(DAY_10))

    advance_subscription(table, customer_id, MARCH_END, payment_methods)

    moved = get_subscription(table, customer_id)
    assert (moved.status, moved.plan_id, moved.cancel_at_period_end) == (
        "active",
        catalog.free,
        False,
    )
    assert records(table, customer_id, "renewal") == []


def test_a_trial_ending_without_a_card_moves_to_the_fallback_plan(
    table, catalog, customer_id, payment_methods
):
    subscribe(table, customer_id, catalog.trial)
    trial_end = START + timedelta(days=7)

    advance_subscription(table, customer_id, trial_end, payment_methods)

    moved = get_subscription(table, customer_id)
    assert (moved.status, moved.plan_id, moved.trial_end) == ("active", catalog.free, None)
    assert records(table, customer_id) == []


def test_a_trial_ending_with_a_card_becomes_active_and_bills(
    table, catalog, customer_id, payment_methods, attach_card
):
    subscribe(table, customer_id, catalog.trial)
    attach_card(customer_id)
    trial_end = START + timedelta(days=7)

    advance_subscription(table, customer_id, trial_end, payment_methods)

    active = get_subscription(table, customer_id)
    assert (active.status, active.plan_id) == ("active", catalog.trial)
    [billed] = records(table, customer_id, "trial_ended")
    assert sum(line["amount"] for line in billed["lines"]) == TRIAL


# --- property: the preview is the change ----------------------------------------------------------


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    seconds=st.integers(min_value=0, max_value=31 * 86_400 - 1),
    target=st.sampled_from(["pro", "flex", "reset", "seats", "annual"]),
)
def test_at_any_moment_the_change_bills_exactly_its_preview(
    table, catalog, stripe_customers, clock, seconds, target
):
    request = CustomerCreate(id=f"prop-{uuid.uuid4().hex[:10]}", email="p@example.com", name="P")
    customer = create_customer(table, stripe_customers, request, clock).id
    subscribe(table, customer, catalog.basic)
    moment = START + timedelta(seconds=seconds)
    fields = {
        "pro": {"planId": catalog.pro},
        "flex": {"planId": catalog.flex},
        "reset": {"planId": catalog.reset},
        "seats": {"addons": [{"addonId": catalog.seats, "quantity": 4}]},
        "annual": {"billingPeriod": "annual"},
    }[target]

    previewed = preview(table, customer, at=moment, **fields)
    applied = change(table, customer, at=moment, **fields)

    assert applied.change == previewed
    billed = records(table, customer, "change")
    assert sum(line["amount"] for r in billed for line in r["lines"]) == (
        previewed.due_now - previewed.credit
    )
