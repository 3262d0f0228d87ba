# ruff: noqa: F811 - the catalog and customer_id fixtures are imported from test_subscriptions
"""A subscription's life driven by the clock: renewals, trial end, cancel at period end and
resume, cancel now. Transitions run through the billing run's own entry points."""

from datetime import UTC, datetime, timedelta

import pytest

from billfold.clock import FixedClock
from billfold.errors import Conflict
from billfold.storage.due_work import DUE_SHARDS
from billfold.subscriptions.cancellation import (
    CancelRequest,
    cancel_subscription,
    resume_subscription,
)
from billfold.subscriptions.reads import get_subscription
from billfold.subscriptions.transitions import advance_subscription, due_customers
from tests.integration.test_subscriptions import (  # the module's catalog and helpers
    NOW,
    TEAM_USD_MONTHLY,
    TRIAL_DAYS,
    TRIAL_USD_MONTHLY,
    _billing_records,
    _entitlements,
    _subscribe,
    catalog,  # noqa: F401 - a fixture
    customer_id,  # noqa: F401 - a fixture
)


def _records_by_reason(table, customer):
    return sorted((r["reason"], r["lines"][0]["amount"]) for r in _billing_records(table, customer))


def test_a_monthly_subscription_renews_each_month_billing_in_advance(
    table, catalog, customer_id, payment_methods
):
    _subscribe(table, customer_id, catalog.team, trialDays=0)

    assert advance_subscription(table, customer_id, NOW + timedelta(days=40), payment_methods) == 1
    renewed = get_subscription(table, customer_id)
    assert renewed.current_period_start == datetime(2030, 2, 28, 10, 30, tzinfo=UTC)
    assert renewed.current_period_end == datetime(2030, 3, 31, 10, 30, tzinfo=UTC)
    assert _records_by_reason(table, customer_id) == [
        ("renewal", TEAM_USD_MONTHLY),
        ("subscription_created", TEAM_USD_MONTHLY),
    ]

    assert (
        advance_subscription(
            table, customer_id, datetime(2031, 1, 31, 10, 30, tzinfo=UTC), payment_methods
        )
        == 11
    )
    year_on = get_subscription(table, customer_id)
    assert year_on.current_period_start == datetime(2031, 1, 31, 10, 30, tzinfo=UTC)
    assert len(_billing_records(table, customer_id)) == 13
    assert (
        advance_subscription(table, customer_id, datetime(2031, 2, 1, tzinfo=UTC), payment_methods)
        == 0
    )


def test_a_trial_ends_into_an_active_subscription_billed_from_the_trial_end(
    table, catalog, customer_id, payment_methods, attach_card
):
    trialing = _subscribe(table, customer_id, catalog.trial)
    assert trialing.status == "trialing"
    attach_card(customer_id)
    trial_end = NOW + timedelta(days=TRIAL_DAYS)

    assert advance_subscription(table, customer_id, trial_end, payment_methods) == 1
    active = get_subscription(table, customer_id)
    assert active.status == "active"
    assert active.current_period_start == trial_end
    assert active.current_period_end == datetime(2030, 3, 10, 10, 30, tzinfo=UTC)
    assert _records_by_reason(table, customer_id) == [("trial_ended", TRIAL_USD_MONTHLY)]
    assert _entitlements(table, customer_id).subscription_status == "active"


def test_cancel_at_period_end_then_resume_then_cancel_for_good(
    table, catalog, customer_id, payment_methods
):
    created = _subscribe(table, customer_id, catalog.team, trialDays=0)
    clock = FixedClock(NOW + timedelta(days=3))

    cancelling = cancel_subscription(table, customer_id, CancelRequest(), clock)
    assert cancelling.cancel_at_period_end
    assert cancelling.status == "active"
    assert cancelling.next_invoice is None
    again = cancel_subscription(table, customer_id, CancelRequest(), clock)
    assert again.revision == cancelling.revision

    resumed = resume_subscription(table, customer_id, clock)
    assert not resumed.cancel_at_period_end
    assert resumed.next_invoice is not None
    cancel_subscription(table, customer_id, CancelRequest(), clock)

    assert advance_subscription(table, customer_id, NOW + timedelta(days=60), payment_methods) == 1
    canceled = get_subscription(table, customer_id)
    assert canceled.status == "canceled"
    assert canceled.canceled_at == created.current_period_end
    assert _entitlements(table, customer_id).subscription_status == "canceled"
    assert [r["reason"] for r in _billing_records(table, customer_id)] == ["subscription_created"]
    with pytest.raises(Conflict) as refused:
        resume_subscription(table, customer_id, clock)
    assert refused.value.code == "subscription_canceled"


def test_cancel_now_ends_access_at_once(table, catalog, customer_id, payment_methods):
    _subscribe(table, customer_id, catalog.team, trialDays=0)
    moment = NOW + timedelta(days=5)

    canceled = cancel_subscription(
        table, customer_id, CancelRequest(at_period_end=False), FixedClock(moment)
    )

    assert (canceled.status, canceled.canceled_at) == ("canceled", moment)
    assert _entitlements(table, customer_id).subscription_status == "canceled"
    assert advance_subscription(table, customer_id, NOW + timedelta(days=400), payment_methods) == 0


def test_the_due_work_index_finds_a_subscription_once_it_is_due(
    table, catalog, customer_id, payment_methods
):
    created = _subscribe(table, customer_id, catalog.team, trialDays=0)

    def due_at(moment):
        return {c for shard in range(DUE_SHARDS) for c in due_customers(table, shard, moment)}

    assert customer_id not in due_at(created.current_period_end - timedelta(seconds=1))
    assert customer_id in due_at(created.current_period_end)
    advance_subscription(table, customer_id, created.current_period_end, payment_methods)
    assert customer_id not in due_at(created.current_period_end)


def test_a_trial_ending_without_a_card_cancels_when_the_plan_has_no_fallback(
    table, catalog, customer_id, payment_methods
):
    _subscribe(table, customer_id, catalog.trial)
    trial_end = NOW + timedelta(days=TRIAL_DAYS)

    assert advance_subscription(table, customer_id, trial_end, payment_methods) == 1

    ended = get_subscription(table, customer_id)
    assert (ended.status, ended.canceled_at) == ("canceled", trial_end)
    assert _billing_records(table, customer_id) == []
    assert _entitlements(table, customer_id).subscription_status == "canceled"
