"""Deciding an entitlement check: access, limit, usage, remaining, period and reason.

The materialized items are written out by hand (one end-to-end test resolves one), and expected
periods are calendar dates checked by hand, never computed by the code under test.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billfold.catalog.models import Enforcement, Entitlement, ResetAnchor, ResetPeriod
from billfold.entitlements.check import EntitlementCheck, check_all, check_entitlement
from billfold.entitlements.models import (
    MaterializedEntitlements,
    ResolvedEntitlement,
    SubscriptionStatus,
)
from billfold.entitlements.resolve import materialize
from tests.unit.factories import make_addon, make_feature, make_plan

ANCHOR = datetime(2030, 1, 31, 10, 0, tzinfo=UTC)
NOW = datetime(2030, 2, 10, 8, 30, tzinfo=UTC)
FEB_28 = datetime(2030, 2, 28, 10, 0, tzinfo=UTC)
"""The end of the monthly period anchored on Jan 31 10:00 that NOW falls in."""


def metered(
    feature_id: str = "api-calls",
    limit: int | None = 100,
    *,
    enforcement: Enforcement = "hard",
    reset_period: ResetPeriod = "monthly",
    reset_anchor: ResetAnchor = "subscription",
) -> ResolvedEntitlement:
    return ResolvedEntitlement(
        feature_id=feature_id,
        feature_type="metered",
        unlimited=limit is None,
        limit=limit,
        reset_period=reset_period,
        reset_anchor=reset_anchor,
        enforcement=enforcement,
        sources=["plan:pro@1"],
    )


SSO = ResolvedEntitlement(feature_id="sso", feature_type="boolean", sources=["plan:pro@1"])
SEATS = ResolvedEntitlement(feature_id="seats", feature_type="numeric", value=5)


def customer(
    *entries: ResolvedEntitlement,
    status: SubscriptionStatus = "active",
    anchor: datetime = ANCHOR,
) -> MaterializedEntitlements:
    return MaterializedEntitlements(
        customer_id="cus_1",
        subscription_status=status,
        subscription_anchor=anchor,
        plan_id="pro",
        plan_version=1,
        entries={e.feature_id: e for e in entries},
        computed_at=ANCHOR,
    )


def check(item: MaterializedEntitlements | None, usage: int, **kwargs: Any) -> EntitlementCheck:
    feature_id = kwargs.pop("feature_id", "api-calls")
    return check_entitlement(item, feature_id, usage, kwargs.pop("now", NOW), **kwargs)


# --- hard limits --------------------------------------------------------------------------


def test_usage_plus_requested_equal_to_a_hard_limit_is_granted() -> None:
    result = check(customer(metered(limit=100)), 95, requested=5)

    assert result == EntitlementCheck(
        feature_id="api-calls",
        has_access=True,
        unlimited=False,
        limit=100,
        usage=95,
        remaining=5,
        requested=5,
        period_start=ANCHOR,
        period_end=FEB_28,
        reset_at=FEB_28,
        soft_limit_exceeded=False,
        reason=None,
    )


def test_one_past_a_hard_limit_is_refused() -> None:
    result = check(customer(metered(limit=100)), 95, requested=6)

    assert (result.has_access, result.reason, result.remaining) == (False, "limit_exceeded", 5)
    assert result.soft_limit_exceeded is False
    assert result.limit == 100


def test_at_the_hard_limit_one_more_is_refused_with_nothing_remaining() -> None:
    result = check(customer(metered(limit=100)), 100)

    assert (result.has_access, result.reason, result.remaining, result.requested) == (
        False,
        "limit_exceeded",
        0,
        1,
    )


def test_remaining_is_never_negative_past_the_limit() -> None:
    result = check(customer(metered(limit=100)), 130, requested=0)

    assert result.remaining == 0
    assert result.has_access is False


def test_a_zero_limit_refuses_any_use() -> None:
    result = check(customer(metered(limit=0)), 0)

    assert (result.has_access, result.remaining) == (False, 0)


# --- requested = 0 ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "usage"),
    [
        (metered(limit=100), 0),
        (metered(limit=100), 100),
        (metered(limit=0), 0),
        (metered(limit=100, enforcement="soft"), 250),
        (metered(limit=None), 10**9),
        (SSO, 0),
        (SEATS, 9),
    ],
    ids=["hard-empty", "hard-at-limit", "hard-zero-limit", "soft-over", "unlimited", "bool", "num"],
)
def test_requested_zero_is_granted_for_a_held_feature_within_its_limit(
    entry: ResolvedEntitlement, usage: int
) -> None:
    result = check(customer(entry), usage, feature_id=entry.feature_id, requested=0)

    assert result.has_access is True
    assert result.reason is None
    assert result.requested == 0


# --- soft limits and unlimited ------------------------------------------------------------


def test_passing_a_soft_limit_is_granted_and_flagged() -> None:
    result = check(customer(metered(limit=100, enforcement="soft")), 98, requested=5)

    assert (result.has_access, result.soft_limit_exceeded, result.reason) == (True, True, None)
    assert (result.limit, result.remaining) == (100, 2)


def test_reaching_a_soft_limit_exactly_is_not_flagged() -> None:
    result = check(customer(metered(limit=100, enforcement="soft")), 98, requested=2)

    assert (result.has_access, result.soft_limit_exceeded) == (True, False)


def test_an_unlimited_metered_feature_has_no_limit_or_remaining_but_still_resets() -> None:
    result = check(customer(metered(limit=None)), 10**12, requested=10**6)

    assert (result.has_access, result.unlimited, result.limit, result.remaining) == (
        True,
        True,
        None,
        None,
    )
    assert result.reset_at == FEB_28


# --- boolean and numeric ------------------------------------------------------------------


def test_a_boolean_feature_is_granted_without_amounts_or_period() -> None:
    result = check(customer(SSO), 0, feature_id="sso")

    assert result == EntitlementCheck(
        feature_id="sso",
        has_access=True,
        unlimited=False,
        limit=None,
        usage=0,
        remaining=None,
        requested=1,
        period_start=None,
        period_end=None,
        reset_at=None,
        soft_limit_exceeded=False,
        reason=None,
    )


@pytest.mark.parametrize(("usage", "remaining"), [(0, 5), (3, 2), (5, 0), (8, 0)])
def test_a_numeric_feature_is_granted_with_its_value_as_the_limit(
    usage: int, remaining: int
) -> None:
    result = check(customer(SEATS), usage, feature_id="seats", requested=4)

    assert (result.has_access, result.limit, result.remaining, result.reason) == (
        True,
        5,
        remaining,
        None,
    )
    assert (result.reset_at, result.period_start, result.soft_limit_exceeded) == (
        None,
        None,
        False,
    )


def test_an_unlimited_numeric_feature() -> None:
    seats = ResolvedEntitlement(feature_id="seats", feature_type="numeric", unlimited=True)

    result = check(customer(seats), 40, feature_id="seats")

    assert (result.has_access, result.unlimited, result.limit, result.remaining) == (
        True,
        True,
        None,
        None,
    )


# --- refusals before the feature ----------------------------------------------------------


def test_an_unknown_customer_is_refused() -> None:
    result = check(None, 0)

    assert (result.has_access, result.reason, result.limit, result.remaining) == (
        False,
        "customer_not_found",
        None,
        None,
    )


def test_a_customer_without_a_subscription_is_refused() -> None:
    item = MaterializedEntitlements(customer_id="cus_1", computed_at=ANCHOR)

    assert check(item, 0).reason == "no_subscription"


def test_a_canceled_subscription_is_refused_even_for_held_features() -> None:
    result = check(customer(metered(limit=100), status="canceled"), 0, requested=0)

    assert (result.has_access, result.reason) == (False, "subscription_canceled")
    assert check(customer(status="canceled"), 0, feature_id="ghost").reason == (
        "subscription_canceled"
    )


def test_a_feature_not_held_is_refused() -> None:
    result = check(customer(SSO), 0, feature_id="api-calls")

    assert (result.has_access, result.reason) == (False, "feature_not_in_plan")


@pytest.mark.parametrize("status", ["trialing", "active", "past_due"])
def test_trialing_active_and_past_due_subscriptions_grant_access(
    status: SubscriptionStatus,
) -> None:
    result = check(customer(metered(limit=100), status=status), 10)

    assert (result.has_access, result.reason) == (True, None)


def test_negative_usage_or_requested_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        check(customer(metered()), 0, requested=-1)
    with pytest.raises(ValueError, match="must not be negative"):
        check(customer(metered()), -1)


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        check(customer(metered()), 0, now=datetime(2030, 2, 10))


# --- periods and reset times --------------------------------------------------------------


@pytest.mark.parametrize(
    ("anchor", "now", "start", "end"),
    [
        (ANCHOR, NOW, ANCHOR, FEB_28),
        (
            datetime(2028, 1, 31, 10, tzinfo=UTC),
            datetime(2028, 2, 5, tzinfo=UTC),
            datetime(2028, 1, 31, 10, tzinfo=UTC),
            datetime(2028, 2, 29, 10, tzinfo=UTC),
        ),
        (
            ANCHOR,
            datetime(2030, 3, 1, tzinfo=UTC),
            FEB_28,
            datetime(2030, 3, 31, 10, tzinfo=UTC),
        ),
        (ANCHOR, FEB_28, FEB_28, datetime(2030, 3, 31, 10, tzinfo=UTC)),
    ],
    ids=["jan-31-to-feb-28", "leap-year-feb-29", "march", "at-the-boundary"],
)
def test_monthly_usage_resets_on_the_subscription_anchor_clamped_to_month_end(
    anchor: datetime, now: datetime, start: datetime, end: datetime
) -> None:
    result = check(customer(metered(), anchor=anchor), 0, now=now)

    assert (result.period_start, result.period_end, result.reset_at) == (start, end, end)


@pytest.mark.parametrize(
    "now",
    [
        datetime(2030, 1, 16, 15, 30, tzinfo=UTC),  # a Wednesday
        datetime(2030, 1, 14, 0, 0, tzinfo=UTC),  # Monday midnight: the week starts
        datetime(2030, 1, 20, 23, 59, 59, tzinfo=UTC),  # Sunday, the last second
    ],
)
def test_calendar_weekly_usage_resets_next_monday_midnight_utc(now: datetime) -> None:
    entry = metered(reset_period="weekly", reset_anchor="calendar")

    result = check(customer(entry, anchor=datetime(2029, 6, 3, 17, tzinfo=UTC)), 0, now=now)

    assert result.period_start == datetime(2030, 1, 14, tzinfo=UTC)
    assert result.reset_at == datetime(2030, 1, 21, tzinfo=UTC)


def test_a_counter_that_never_resets_has_no_period() -> None:
    result = check(customer(metered(reset_period="never")), 99)

    assert (result.period_start, result.period_end, result.reset_at) == (None, None, None)
    assert result.has_access is True


def test_a_moment_before_the_anchor_counts_in_the_first_period() -> None:
    result = check(customer(metered()), 0, now=ANCHOR - timedelta(seconds=5))

    assert (result.period_start, result.reset_at) == (ANCHOR, FEB_28)


# --- the API shape and check_all ----------------------------------------------------------


def test_the_check_serializes_with_the_contracts_field_names() -> None:
    document = check(customer(metered()), 7).model_dump(mode="json", by_alias=True)

    assert {"hasAccess", "unlimited", "limit", "usage", "remaining", "resetAt", "reason"} <= set(
        document
    )
    assert document["resetAt"] == "2030-02-28T10:00:00Z"
    assert document["reason"] is None


def test_check_all_checks_every_held_feature_by_id_with_usage_defaulting_to_zero() -> None:
    item = customer(metered("exports", limit=3), SSO, metered("api-calls", limit=10), SEATS)

    results = check_all(item, {"exports": 3, "api-calls": 4, "unknown": 50}, NOW)

    assert [r.feature_id for r in results] == ["api-calls", "exports", "seats", "sso"]
    assert [r.usage for r in results] == [4, 3, 0, 0]
    assert [r.has_access for r in results] == [True, False, True, True]
    assert [r.requested for r in results] == [1, 1, 1, 1]


def test_check_all_of_a_customer_without_a_subscription_is_empty() -> None:
    item = MaterializedEntitlements(customer_id="cus_1", computed_at=ANCHOR)

    assert check_all(item, {}, NOW) == []


def test_resolved_then_checked_end_to_end() -> None:
    plan = make_plan("pro", entitlements=[Entitlement(feature_id="api-calls", limit=1_000)])
    addon = make_addon("extra-calls", entitlements=[{"feature_id": "api-calls", "limit": 500}])
    item = materialize(
        "cus_1",
        plan=plan,
        subscription_status="active",
        subscription_anchor=ANCHOR,
        addons=[(addon, 2)],
        promotions=[],
        features={"api-calls": make_feature("api-calls", "metered")},
        now=ANCHOR,
    )

    assert check(item, 1_990, requested=10).has_access is True  # limit 1,000 + 2 x 500
    assert check(item, 1_990, requested=11).reason == "limit_exceeded"


# --- properties ---------------------------------------------------------------------------

AMOUNTS = st.integers(min_value=0, max_value=10**15)


@given(limit=AMOUNTS, usage=AMOUNTS, requested=AMOUNTS)
def test_a_hard_limit_grants_exactly_what_fits(limit: int, usage: int, requested: int) -> None:
    result = check(customer(metered(limit=limit)), usage, requested=requested)

    assert result.has_access == (usage + requested <= limit)
    assert result.remaining == max(limit - usage, 0)
    assert (result.reason is None) == result.has_access
    assert result.soft_limit_exceeded is False


@given(limit=AMOUNTS, usage=AMOUNTS, requested=AMOUNTS)
def test_a_soft_limit_always_grants_and_flags_what_does_not_fit(
    limit: int, usage: int, requested: int
) -> None:
    result = check(customer(metered(limit=limit, enforcement="soft")), usage, requested=requested)

    assert result.has_access is True
    assert result.soft_limit_exceeded == (usage + requested > limit)
    assert result.remaining == max(limit - usage, 0)
