# ruff: noqa: F811 - the catalog fixture is imported from test_subscription_changes
"""Promotions and raw usage events against moto's server: grants rewrite the materialized
entitlements (and survive racing subscription changes), expire on their own, and events are
counted exactly once per idempotency key."""

import threading
from datetime import timedelta

import pytest

from billfold.access.checks import check_feature
from billfold.catalog.plans import plan_store
from billfold.clock import FixedClock
from billfold.customers.models import CustomerCreate
from billfold.customers.service import create_customer
from billfold.errors import InvalidInput, NotFound
from billfold.storage.table import ConditionFailed
from billfold.subscriptions.changes import entitlements_write, save_change
from billfold.subscriptions.creation import create_subscription
from billfold.subscriptions.models import SubscriptionChange, SubscriptionCreate
from billfold.subscriptions.plan_change import plan_change
from billfold.subscriptions.promotions import PromotionGrant, grant_promotion, revoke_promotion
from billfold.usage.events import EventBatch, ingest_events
from billfold.usage.requests import UsageReport
from billfold.usage.service import report_usage
from tests.integration.test_subscription_changes import (
    BASIC_CALLS,
    DAY_10,
    START,
    catalog,  # noqa: F401 - a fixture
)

NOW = DAY_10


@pytest.fixture
def customer_id(table, stripe_customers, clock, uid) -> str:
    request = CustomerCreate(id=f"promo-{uid}", email=f"promo-{uid}@example.com", name="P")
    return create_customer(table, stripe_customers, request, clock).id


def subscribe(table, customer_id, plan_id):
    order = SubscriptionCreate.model_validate({"planId": plan_id, "currency": "USD"})
    return create_subscription(table, customer_id, order, FixedClock(START))


def grant(table, customer_id, at=NOW, **fields):
    return grant_promotion(
        table, customer_id, PromotionGrant.model_validate(fields), FixedClock(at)
    )


def check(table, customer_id, feature_id, at=NOW, requested=1):
    return check_feature(table, customer_id, feature_id, requested, FixedClock(at))


# --- promotions ----------------------------------------------------------------------------------


def test_a_grant_adds_limit_and_a_revoke_takes_it_back(table, catalog, customer_id):
    subscribe(table, customer_id, catalog.basic)

    grant(table, customer_id, featureId=catalog.calls, amount=500)
    granted = check(table, customer_id, catalog.calls)
    regrant = grant(table, customer_id, featureId=catalog.calls, amount=50)
    regranted = check(table, customer_id, catalog.calls)
    revoked = revoke_promotion(table, customer_id, catalog.calls, FixedClock(NOW))

    assert granted.limit == BASIC_CALLS + 500
    assert regrant.amount == 50
    assert regranted.limit == BASIC_CALLS + 50
    assert revoked.amount == 50
    assert check(table, customer_id, catalog.calls).limit == BASIC_CALLS
    with pytest.raises(NotFound):
        revoke_promotion(table, customer_id, catalog.calls, FixedClock(NOW))


def test_a_boolean_grant_turns_a_feature_on_until_it_expires(table, catalog, customer_id):
    subscribe(table, customer_id, catalog.basic)
    until = NOW + timedelta(days=3)

    grant(table, customer_id, featureId=catalog.sso, expiresAt=until.isoformat())

    assert check(table, customer_id, catalog.sso).has_access
    assert check(table, customer_id, catalog.sso, at=until - timedelta(seconds=1)).has_access
    expired = check(table, customer_id, catalog.sso, at=until)
    assert (expired.has_access, expired.reason) == (False, "feature_not_in_plan")


def test_promotions_granted_before_a_subscription_count_once_it_exists(table, catalog, customer_id):
    grant(table, customer_id, featureId=catalog.sso)
    assert check(table, customer_id, catalog.sso).reason == "no_subscription"

    subscribe(table, customer_id, catalog.basic)

    assert check(table, customer_id, catalog.sso).has_access


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": 5}, "amount"),  # boolean feature: no amount
        ({"expiresAt": "2030-03-01T00:00:00Z"}, "expiresAt"),  # in the past
        ({"expiresAt": "2030-12-01T00:00:00"}, "expiresAt"),  # no timezone
    ],
)
def test_bad_grants_name_the_field(table, catalog, customer_id, fields, field):
    subscribe(table, customer_id, catalog.basic)
    with pytest.raises(InvalidInput) as refused:
        grant(table, customer_id, featureId=catalog.sso, **fields)
    assert refused.value.field == field


def test_an_entitlements_rewrite_that_raced_a_grant_fails_instead_of_dropping_it(
    table, catalog, customer_id
):
    subscribe(table, customer_id, catalog.basic)
    planned = plan_change(table, customer_id, SubscriptionChange(plan_id=catalog.pro), NOW)
    plan = plan_store(table).version(planned.after.plan_id, planned.after.plan_version)
    stale = entitlements_write(table, planned.after, plan, [], NOW)  # read before the grant

    grant(table, customer_id, featureId=catalog.calls, amount=7)

    with pytest.raises(ConditionFailed):
        table.transact([stale])
    save_change(table, planned.before, planned.after, NOW, planned.record)
    assert check(table, customer_id, catalog.calls).limit == 5_000 + 7


# --- raw events ----------------------------------------------------------------------------------


def events(customer_id, feature_id, keys, **extra):
    return EventBatch.model_validate(
        {
            "events": [
                {
                    "customerId": customer_id,
                    "eventName": feature_id,
                    "idempotencyKey": key,
                    "timestamp": NOW.isoformat(),
                    **extra,
                }
                for key in keys
            ]
        }
    )


def test_events_are_counted_once_across_retries(table, catalog, customer_id):
    subscribe(table, customer_id, catalog.basic)
    batch = events(customer_id, catalog.calls, [f"e{i}" for i in range(150)])

    first = ingest_events(table, batch, NOW)
    retried = ingest_events(table, batch, NOW)

    assert (first.accepted, first.duplicates, first.rejected) == (150, 0, 0)
    assert (retried.accepted, retried.duplicates) == (0, 150)
    assert check(table, customer_id, catalog.calls).usage == 150


def test_a_mixed_batch_counts_exactly_the_valid_events(table, catalog, customer_id, uid):
    subscribe(table, customer_id, catalog.basic)
    batch = EventBatch.model_validate(
        {
            "events": [
                {
                    "customerId": customer_id,
                    "eventName": catalog.calls,
                    "idempotencyKey": "ok-1",
                    "timestamp": NOW.isoformat(),
                    "dimensions": {"quantity": 5},
                },
                {
                    "customerId": f"nobody-{uid}",
                    "eventName": catalog.calls,
                    "idempotencyKey": "ghost",
                    "timestamp": NOW.isoformat(),
                },
                {
                    "customerId": customer_id,
                    "eventName": catalog.sso,
                    "idempotencyKey": "flag",
                    "timestamp": NOW.isoformat(),
                },
                {
                    "customerId": customer_id,
                    "eventName": catalog.calls,
                    "idempotencyKey": "future",
                    "timestamp": (NOW + timedelta(hours=1)).isoformat(),
                },
                {
                    "customerId": customer_id,
                    "eventName": catalog.calls,
                    "idempotencyKey": "old",
                    "timestamp": (START - timedelta(days=1)).isoformat(),
                },
                {
                    "customerId": customer_id,
                    "eventName": catalog.calls,
                    "idempotencyKey": "bad-quantity",
                    "timestamp": NOW.isoformat(),
                    "dimensions": {"quantity": "lots"},
                },
                {
                    "customerId": customer_id,
                    "eventName": catalog.calls,
                    "idempotencyKey": "ok-1",
                    "timestamp": NOW.isoformat(),
                    "dimensions": {"quantity": 6},
                },
            ]
        }
    )

    result = ingest_events(table, batch, NOW)

    assert [(o.status, o.code) for o in result.items] == [
        ("accepted", None),
        ("rejected", "customer_not_found"),
        ("rejected", "feature_not_in_plan"),  # basic has no sso
        ("rejected", "timestamp_in_future"),
        ("rejected", "period_closed"),
        ("rejected", "invalid_quantity"),
        ("rejected", "idempotency_key_reused"),
    ]
    assert check(table, customer_id, catalog.calls).usage == 5


def test_events_and_usage_reports_add_up(table, catalog, customer_id):
    subscribe(table, customer_id, catalog.basic)

    report = UsageReport(
        customer_id=customer_id, feature_id=catalog.calls, value=10, idempotency_key="r"
    )
    report_usage(table, report, FixedClock(NOW))
    ingest_events(
        table, events(customer_id, catalog.calls, ["a", "b"], dimensions={"quantity": 3}), NOW
    )

    assert check(table, customer_id, catalog.calls).usage == 16


def test_parallel_batches_with_overlapping_keys_count_each_key_once(table, catalog, customer_id):
    subscribe(table, customer_id, catalog.basic)
    keys = [f"k{i}" for i in range(40)]
    barrier = threading.Barrier(4)

    def send(offset: int) -> None:
        barrier.wait()
        ingest_events(table, events(customer_id, catalog.calls, keys[offset : offset + 25]), NOW)

    threads = [threading.Thread(target=send, args=(o,)) for o in (0, 5, 10, 15)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert check(table, customer_id, catalog.calls).usage == 40


def test_a_full_batch_of_one_thousand_events_is_counted(table, catalog, customer_id):
    subscribe(table, customer_id, catalog.basic)

    result = ingest_events(
        table, events(customer_id, catalog.calls, [f"n{i}" for i in range(1000)]), NOW
    )

    assert (result.accepted, result.rejected) == (1000, 0)
    assert check(table, customer_id, catalog.calls).usage == 1000
