"""Which events a change publishes: subscription and invoice diffs, and usage thresholds."""

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billfold.invoicing import events as invoice_events
from billfold.invoicing.models import Invoice, Payment
from billfold.outbox import EventType
from billfold.subscriptions import events as subscription_events
from billfold.subscriptions.models import Subscription
from billfold.usage.thresholds import crossed
from tests.builders import NOW, PERIOD_END, subscription
from tests.builders import invoice as make_invoice

NEXT_END = datetime(2030, 3, 1, tzinfo=UTC)

REACHED = EventType.USAGE_THRESHOLD_REACHED
SOFT = EventType.USAGE_SOFT_LIMIT_EXCEEDED


# Subscriptions ---------------------------------------------------------------------------------


def _addon(addon_id: str = "seats", quantity: int = 1) -> dict[str, Any]:
    return {
        "addon_id": addon_id,
        "version": 1,
        "name": addon_id.title(),
        "quantity": quantity,
        "unit_amount": 500,
    }


def _scheduled(plan_id: str = "basic", **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "effective_at": PERIOD_END,
        "plan_id": plan_id,
        "plan_version": 1,
        "plan_name": plan_id.title(),
        "billing_period": "monthly",
        "price": 900,
        "addons": [],
    }
    fields.update(overrides)
    return fields


def _coupon(percent: int = 20) -> dict[str, Any]:
    return {
        "discount": {"coupon_id": "launch", "name": "Launch", "percent_off": percent},
        "duration": "forever",
        "periods_left": None,
    }


def _changed(before: Subscription, **update: Any) -> Subscription:
    return Subscription.model_validate({**before.model_dump(), **update})


def _renewed(before: Subscription, **update: Any) -> Subscription:
    return _changed(before, current_period_start=PERIOD_END, current_period_end=NEXT_END, **update)


def test_a_new_subscription_is_created_and_nothing_else() -> None:
    assert subscription_events.change_types(None, subscription()) == [
        EventType.SUBSCRIPTION_CREATED
    ]


def test_a_new_subscription_always_changes_entitlements() -> None:
    assert subscription_events.entitlements_changed(None, subscription())


def test_a_change_that_changes_nothing_publishes_nothing() -> None:
    before = subscription()

    assert subscription_events.change_types(before, _changed(before, revision=2)) == []


@pytest.mark.parametrize(
    "update",
    [
        pytest.param({"plan_id": "team", "plan_name": "Team", "price": 4900}, id="plan"),
        pytest.param({"plan_version": 2}, id="plan-version"),
        pytest.param({"addons": [_addon()]}, id="addon-added"),
        pytest.param({"billing_period": "annual", "price": 19000}, id="period"),
        pytest.param({"price": 2900}, id="price"),
        pytest.param({"coupon": _coupon()}, id="coupon"),
    ],
)
def test_a_change_of_terms_is_an_update(update: dict[str, Any]) -> None:
    before = subscription()

    assert subscription_events.change_types(before, _changed(before, **update)) == [
        EventType.SUBSCRIPTION_UPDATED
    ]


def test_a_new_addon_quantity_is_an_update() -> None:
    before = subscription(addons=[_addon(quantity=1)])

    after = _changed(before, addons=[_addon(quantity=3)])

    assert subscription_events.change_types(before, after) == [EventType.SUBSCRIPTION_UPDATED]


def test_addons_listed_in_another_order_are_no_update() -> None:
    before = subscription(addons=[_addon("seats"), _addon("storage")])

    after = _changed(before, addons=[_addon("storage"), _addon("seats")])

    assert subscription_events.change_types(before, after) == []


def test_a_coupon_running_down_is_an_update() -> None:
    before = subscription(coupon={**_coupon(), "duration": "repeating", "periods_left": 3})

    after = _changed(before, coupon={**_coupon(), "duration": "repeating", "periods_left": 2})

    assert EventType.SUBSCRIPTION_UPDATED in subscription_events.change_types(before, after)


def test_a_new_period_is_a_renewal() -> None:
    before = subscription()

    assert subscription_events.change_types(before, _renewed(before)) == [
        EventType.SUBSCRIPTION_RENEWED
    ]


def test_a_renewal_that_applies_a_scheduled_downgrade_is_renewed_and_updated_not_canceled() -> None:
    before = subscription(scheduled_change=_scheduled("basic"))

    after = _renewed(before, plan_id="basic", plan_name="Basic", price=900, scheduled_change=None)

    assert subscription_events.change_types(before, after) == [
        EventType.SUBSCRIPTION_RENEWED,
        EventType.SUBSCRIPTION_UPDATED,
    ]


def test_a_trial_that_ends_into_a_paid_period_is_trial_ended_not_renewed() -> None:
    before = subscription(status="trialing", trial_end=PERIOD_END)

    after = _renewed(before, status="active")

    assert subscription_events.change_types(before, after) == [EventType.SUBSCRIPTION_TRIAL_ENDED]


def test_a_trial_that_ends_into_past_due_is_trial_ended_and_past_due() -> None:
    before = subscription(status="trialing", trial_end=PERIOD_END)

    after = _renewed(before, status="past_due")

    assert subscription_events.change_types(before, after) == [
        EventType.SUBSCRIPTION_TRIAL_ENDED,
        EventType.SUBSCRIPTION_PAST_DUE,
    ]


def test_a_trial_that_ends_canceled_is_only_canceled() -> None:
    before = subscription(status="trialing", trial_end=PERIOD_END)

    after = _changed(before, status="canceled", canceled_at=PERIOD_END)

    assert subscription_events.change_types(before, after) == [EventType.SUBSCRIPTION_CANCELED]


def test_a_failed_renewal_is_renewed_and_past_due() -> None:
    before = subscription()

    after = _renewed(before, status="past_due")

    assert subscription_events.change_types(before, after) == [
        EventType.SUBSCRIPTION_RENEWED,
        EventType.SUBSCRIPTION_PAST_DUE,
    ]


def test_staying_past_due_publishes_past_due_once() -> None:
    before = subscription(status="past_due")

    assert subscription_events.change_types(before, _changed(before, revision=2)) == []


def test_recovering_from_past_due_is_an_update() -> None:
    before = subscription(status="past_due")

    after = _changed(before, status="active")

    assert subscription_events.change_types(before, after) == [EventType.SUBSCRIPTION_UPDATED]


def test_canceling_now_is_canceled() -> None:
    before = subscription()

    after = _changed(before, status="canceled", canceled_at=NOW)

    assert subscription_events.change_types(before, after) == [EventType.SUBSCRIPTION_CANCELED]


def test_a_scheduled_cancellation_that_takes_effect_is_canceled_not_resumed() -> None:
    before = subscription(cancel_at_period_end=True)

    after = _changed(before, status="canceled", canceled_at=PERIOD_END, cancel_at_period_end=False)

    assert subscription_events.change_types(before, after) == [EventType.SUBSCRIPTION_CANCELED]


def test_canceling_at_period_end_creates_a_scheduled_change() -> None:
    before = subscription()

    after = _changed(before, cancel_at_period_end=True)

    assert subscription_events.change_types(before, after) == [
        EventType.SUBSCRIPTION_SCHEDULED_CHANGE_CREATED
    ]


def test_undoing_a_cancellation_at_period_end_is_resumed() -> None:
    before = subscription(cancel_at_period_end=True)

    after = _changed(before, cancel_at_period_end=False)

    assert subscription_events.change_types(before, after) == [EventType.SUBSCRIPTION_RESUMED]


def test_moving_to_the_fallback_plan_at_period_end_is_not_resumed() -> None:
    before = subscription(cancel_at_period_end=True)

    after = _renewed(
        before,
        plan_id="free",
        plan_name="Free",
        price=0,
        billing_anchor=PERIOD_END,
        cancel_at_period_end=False,
    )

    assert EventType.SUBSCRIPTION_RESUMED not in subscription_events.change_types(before, after)


def test_scheduling_a_downgrade_creates_a_scheduled_change_without_an_update() -> None:
    before = subscription()

    after = _changed(before, scheduled_change=_scheduled("basic"))

    assert subscription_events.change_types(before, after) == [
        EventType.SUBSCRIPTION_SCHEDULED_CHANGE_CREATED
    ]


def test_replacing_a_scheduled_change_creates_another() -> None:
    before = subscription(scheduled_change=_scheduled("basic"))

    after = _changed(before, scheduled_change=_scheduled("starter", price=500))

    assert subscription_events.change_types(before, after) == [
        EventType.SUBSCRIPTION_SCHEDULED_CHANGE_CREATED
    ]


def test_dropping_a_scheduled_downgrade_to_another_plan_cancels_it() -> None:
    before = subscription(scheduled_change=_scheduled("basic"))

    after = _changed(before, scheduled_change=None)

    assert subscription_events.change_types(before, after) == [
        EventType.SUBSCRIPTION_SCHEDULED_CHANGE_CANCELED
    ]


def test_dropping_a_scheduled_change_on_the_same_plan_cancels_it() -> None:
    before = subscription(
        billing_period="annual",
        price=19000,
        scheduled_change=_scheduled("pro", plan_name="Pro", price=1900),
    )

    after = _changed(before, scheduled_change=None)

    assert subscription_events.change_types(before, after) == [
        EventType.SUBSCRIPTION_SCHEDULED_CHANGE_CANCELED
    ]


def test_a_scheduled_change_is_published_once_per_kind_even_with_a_cancellation() -> None:
    before = subscription()

    after = _changed(before, cancel_at_period_end=True, scheduled_change=_scheduled("basic"))

    assert subscription_events.change_types(before, after) == [
        EventType.SUBSCRIPTION_SCHEDULED_CHANGE_CREATED
    ]


@pytest.mark.parametrize(
    ("update", "changed"),
    [
        pytest.param({"plan_id": "team"}, True, id="plan"),
        pytest.param({"plan_version": 2}, True, id="plan-version"),
        pytest.param({"addons": [_addon()]}, True, id="addons"),
        pytest.param({"status": "canceled"}, True, id="status"),
        pytest.param({"price": 2900}, False, id="price"),
        pytest.param({"billing_period": "annual"}, False, id="period"),
        pytest.param({"coupon": _coupon()}, False, id="coupon"),
        pytest.param({"cancel_at_period_end": True}, False, id="cancel-at-period-end"),
        pytest.param({"current_period_start": PERIOD_END}, False, id="renewal"),
    ],
)
def test_entitlements_change_only_with_what_they_are_computed_from(
    update: dict[str, Any], changed: bool
) -> None:
    before = subscription()

    assert subscription_events.entitlements_changed(before, _changed(before, **update)) is changed


# Invoices --------------------------------------------------------------------------------------


def _with(invoice: Invoice, **update: Any) -> Invoice:
    return Invoice.model_validate({**invoice.model_dump(), **update})


def _attempt(status: str, attempts: int) -> Payment:
    return Payment.model_validate({"status": status, "attempts": attempts})


def test_an_issued_open_invoice_is_finalized() -> None:
    assert invoice_events.change_types(None, make_invoice()) == [EventType.INVOICE_FINALIZED]


def test_an_issued_invoice_already_paid_is_finalized_then_paid() -> None:
    invoice = make_invoice(status="paid", amount_due=0, amount_paid=0, paid_at=NOW)

    assert invoice_events.change_types(None, invoice) == [
        EventType.INVOICE_FINALIZED,
        EventType.INVOICE_PAID,
    ]


def test_an_issued_invoice_whose_first_charge_failed_is_finalized_and_payment_failed() -> None:
    invoice = make_invoice(payment=_attempt("failed", 1))

    assert invoice_events.change_types(None, invoice) == [
        EventType.INVOICE_FINALIZED,
        EventType.INVOICE_PAYMENT_FAILED,
    ]


@pytest.mark.parametrize(
    ("status", "event_type"),
    [
        ("paid", EventType.INVOICE_PAID),
        ("void", EventType.INVOICE_VOIDED),
        ("uncollectible", EventType.INVOICE_UNCOLLECTIBLE),
    ],
)
def test_an_open_invoice_settling_publishes_its_new_status(
    status: str, event_type: EventType
) -> None:
    before = make_invoice()

    assert invoice_events.change_types(before, _with(before, status=status)) == [event_type]


def test_a_paid_invoice_changed_again_is_not_paid_again() -> None:
    before = make_invoice(status="paid", amount_paid=1900, paid_at=NOW)

    after = _with(before, amount_refunded=500, revision=2)

    assert invoice_events.change_types(before, after) == []


def test_a_successful_charge_is_paid_without_a_payment_event() -> None:
    before = make_invoice()

    after = _with(before, status="paid", amount_paid=1900, payment=_attempt("succeeded", 1))

    assert invoice_events.change_types(before, after) == [EventType.INVOICE_PAID]


def test_a_failed_charge_is_payment_failed() -> None:
    before = make_invoice()

    after = _with(before, payment=_attempt("failed", 1))

    assert invoice_events.change_types(before, after) == [EventType.INVOICE_PAYMENT_FAILED]


def test_each_failed_retry_is_payment_failed_again() -> None:
    before = make_invoice(payment=_attempt("failed", 1))

    after = _with(before, payment=_attempt("failed", 2))

    assert invoice_events.change_types(before, after) == [EventType.INVOICE_PAYMENT_FAILED]


def test_a_failed_charge_saved_again_without_a_new_attempt_publishes_nothing() -> None:
    before = make_invoice(payment=_attempt("failed", 1))

    after = _with(before, revision=2)

    assert invoice_events.change_types(before, after) == []


def test_a_charge_needing_authentication_is_payment_action_required() -> None:
    before = make_invoice()

    after = _with(before, payment=_attempt("requires_action", 1))

    assert invoice_events.change_types(before, after) == [EventType.INVOICE_PAYMENT_ACTION_REQUIRED]


def test_giving_up_after_failures_is_uncollectible_without_another_failure() -> None:
    before = make_invoice(payment=_attempt("failed", 3))

    after = _with(before, status="uncollectible")

    assert invoice_events.change_types(before, after) == [EventType.INVOICE_UNCOLLECTIBLE]


# Usage thresholds ------------------------------------------------------------------------------


def test_reaching_80_percent_exactly_is_reached_once() -> None:
    assert crossed(100, False, 79, 80) == [(REACHED, 80)]


def test_staying_below_80_percent_is_nothing() -> None:
    assert crossed(100, True, 0, 79) == []


def test_a_mark_already_passed_is_not_reached_again() -> None:
    assert crossed(100, False, 80, 95) == []


def test_the_80_percent_mark_is_rounded_up() -> None:
    assert crossed(1001, False, 0, 800) == []
    assert crossed(1001, False, 800, 801) == [(REACHED, 80)]


def test_the_100_percent_mark_is_the_limit_itself() -> None:
    assert crossed(1001, False, 1000, 1001) == [(REACHED, 100)]


def test_jumping_past_both_marks_reaches_both_in_order() -> None:
    assert crossed(10, False, 0, 50) == [(REACHED, 80), (REACHED, 100)]


def test_a_soft_limit_is_exceeded_only_past_the_limit() -> None:
    assert crossed(100, True, 99, 100) == [(REACHED, 100)]
    assert crossed(100, True, 100, 101) == [(SOFT, None)]


def test_a_hard_limit_is_never_soft_exceeded() -> None:
    assert crossed(100, False, 0, 500) == [(REACHED, 80), (REACHED, 100)]


def test_usage_going_down_crosses_nothing() -> None:
    assert crossed(100, True, 200, 0) == []


def test_a_zero_limit_reaches_no_percent_but_is_soft_exceeded_by_any_use() -> None:
    assert crossed(0, False, 0, 5) == []
    assert crossed(0, True, 0, 1) == [(SOFT, None)]
    assert crossed(0, True, 0, 0) == []


@given(
    limit=st.integers(min_value=0, max_value=10_000),
    soft=st.booleans(),
    counts=st.lists(st.integers(min_value=0, max_value=20_000), min_size=3, max_size=3),
)
def test_crossing_in_two_steps_crosses_what_one_step_does(
    limit: int, soft: bool, counts: list[int]
) -> None:
    a, b, c = sorted(counts)

    in_steps = crossed(limit, soft, a, b) + crossed(limit, soft, b, c)

    assert sorted(in_steps, key=str) == sorted(crossed(limit, soft, a, c), key=str)


@given(
    limit=st.integers(min_value=1, max_value=10_000),
    steps=st.lists(st.integers(min_value=0, max_value=500), max_size=40),
)
def test_counting_up_from_zero_reaches_each_mark_once_at_its_rounded_up_count(
    limit: int, steps: list[int]
) -> None:
    used, reached = 0, {}
    for step in steps:
        for _, percent in crossed(limit, True, used, used + step):
            assert percent not in reached
            reached[percent] = used + step
        used += step

    for percent in (80, 100):
        mark = -(-limit * percent // 100)
        assert (percent in reached) == (used >= mark)
        assert mark * 100 >= limit * percent > (mark - 1) * 100
    assert (None in reached) == (used > limit)


@given(st.integers(min_value=1, max_value=10_000))
def test_the_marks_are_never_below_their_percent_of_the_limit(limit: int) -> None:
    percents_below_80 = crossed(limit, False, 0, (limit * 80 - 1) // 100)
    percents_below_100 = crossed(limit, False, 0, limit - 1)

    assert percents_below_80 == []
    assert (REACHED, 100) not in percents_below_100


def test_an_upgrade_that_restarts_the_cycle_is_no_renewal():
    before = subscription()
    after = subscription(
        billing_period="annual",
        price=19000,
        billing_anchor=NOW,
        current_period_start=NOW,
        current_period_end=datetime(2031, 1, 15, 12, tzinfo=UTC),
    )

    assert subscription_events.change_types(before, after) == [EventType.SUBSCRIPTION_UPDATED]


def test_an_immediate_change_that_drops_a_pending_one_cancels_it():
    before = subscription(scheduled_change=_scheduled("basic"))
    after = subscription(plan_id="enterprise", plan_name="Enterprise", price=9900)

    assert subscription_events.change_types(before, after) == [
        EventType.SUBSCRIPTION_UPDATED,
        EventType.SUBSCRIPTION_SCHEDULED_CHANGE_CANCELED,
    ]


def test_a_cancel_now_after_a_scheduled_cancel_on_a_fallback_plan_is_no_resume():
    before = subscription(cancel_at_period_end=True)
    after = subscription(plan_id="free", plan_name="Free", price=0, cancel_at_period_end=False)

    assert EventType.SUBSCRIPTION_RESUMED not in subscription_events.change_types(before, after)
