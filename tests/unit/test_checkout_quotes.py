"""What a checkout charges: the create request a session makes (`subscription_order`) and
the quote of the order it would start (`priced_order`), priced without storage."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from billfold.catalog.coupons import Coupon
from billfold.catalog.promotion_codes import Redemption
from billfold.catalog.terms import Discount
from billfold.checkout.models import CheckoutSession
from billfold.checkout.quotes import priced_order, subscription_order
from billfold.errors import ErrorCode, Forbidden
from billfold.storage.table import Put
from billfold.subscriptions.billing_records import full_period_lines, period_record
from billfold.subscriptions.creation import Order
from billfold.subscriptions.models import (
    AddonQuantity,
    AppliedCoupon,
    SubscribedAddon,
    Subscription,
    SubscriptionCreate,
)
from tests.unit.factories import NOW

SESSION_ID = "cs_" + "0123456789abcdef" * 2
TEN_PERCENT = Discount(coupon_id="launch", name="Launch", percent_off=10)
FIVE_OFF = Discount(coupon_id="five", name="Five off", amount_off=500)


def make_session(**overrides: Any) -> CheckoutSession:
    """An open session for `acme`: pro, monthly, in USD, with two seats and no codes."""
    fields: dict[str, Any] = {
        "id": SESSION_ID,
        "customer_id": "acme",
        "plan_id": "pro",
        "billing_period": "monthly",
        "currency": "USD",
        "addons": [{"addon_id": "seats", "quantity": 2}],
        "trial_days": None,
        "allow_promotion_codes": False,
        "status": "open",
        "created_at": NOW,
        "expires_at": NOW + timedelta(hours=1),
    }
    fields.update(overrides)
    return CheckoutSession.model_validate(fields)


def make_subscription(
    *,
    trial_end: datetime | None = None,
    coupon: AppliedCoupon | None = None,
    billing_period: str = "monthly",
    price: int = 1900,
    addons: list[SubscribedAddon] | None = None,
) -> Subscription:
    """A subscription as `new_subscription` makes it at NOW: trialing until `trial_end` (its
    current period is the trial), else active in its first billing period."""
    end = trial_end or (
        datetime(2030, 2, 15, 12, tzinfo=UTC)
        if billing_period == "monthly"
        else datetime(2031, 1, 15, 12, tzinfo=UTC)
    )
    return Subscription(
        id="sub_1",
        customer_id="acme",
        status="trialing" if trial_end else "active",
        plan_id="pro",
        plan_version=1,
        plan_name="Pro",
        billing_period=billing_period,  # type: ignore[arg-type]
        currency="USD",
        price=price,
        addons=(
            [SubscribedAddon(addon_id="seats", version=1, name="Seat", quantity=2, unit_amount=500)]
            if addons is None
            else addons
        ),
        billing_anchor=trial_end or NOW,
        usage_anchor=trial_end or NOW,
        current_period_start=NOW,
        current_period_end=end,
        trial_end=trial_end,
        coupon=coupon,
        created_at=NOW,
        updated_at=NOW,
    )


def applied(discount: Discount, periods_left: int | None, code: str | None) -> AppliedCoupon:
    duration = "forever" if periods_left is None else "once" if periods_left == 1 else "repeating"
    return AppliedCoupon(
        discount=discount,
        duration=duration,  # type: ignore[arg-type]
        periods_left=periods_left,
        promotion_code=code,
    )


def redeemed(subscription: Subscription, coupon_name: str | None) -> Redemption | None:
    """The redemption of the subscription's promotion code, as `new_subscription` finds it."""
    applied_coupon = subscription.coupon
    if coupon_name is None or applied_coupon is None or applied_coupon.promotion_code is None:
        return None
    coupon = Coupon(
        id=applied_coupon.discount.coupon_id,
        name=coupon_name,
        duration=applied_coupon.duration,
        metadata={},
        created_at=NOW,
    )
    return Redemption(applied_coupon.promotion_code, coupon, ())


def paid_order(subscription: Subscription, coupon_name: str | None = None) -> Order:
    """The order of a subscription billed now, built as `new_subscription` builds it."""
    lines = full_period_lines(subscription)
    billed, record = period_record(subscription, "subscription_created", lines, NOW)
    return Order(billed, Put({}), record, redeemed(subscription, coupon_name))


def trial_order(subscription: Subscription, coupon_name: str | None = None) -> Order:
    """The order of a subscription in a trial: nothing billed now."""
    assert subscription.trial_end is not None
    return Order(subscription, Put({}), None, redeemed(subscription, coupon_name))


# --- subscription_order -----------------------------------------------------------------------


def test_a_promotion_code_is_forbidden_when_the_session_takes_none() -> None:
    with pytest.raises(Forbidden) as raised:
        subscription_order(make_session(allow_promotion_codes=False), "LAUNCH")

    assert raised.value.field == "promotionCode"
    assert raised.value.code == ErrorCode.PROMOTION_CODES_NOT_ALLOWED


def test_the_order_is_the_sessions_terms() -> None:
    session = make_session(billing_period="annual", currency="EUR", trial_days=14)

    order = subscription_order(session, None)

    assert order == SubscriptionCreate(
        plan_id="pro",
        billing_period="annual",
        currency="EUR",
        addons=[AddonQuantity(addon_id="seats", quantity=2)],
        trial_days=14,
    )
    assert order.promotion_code is None
    assert order.coupon_id is None
    assert order.start_at is None


def test_a_session_without_a_trial_leaves_the_plans_trial_to_the_order() -> None:
    assert subscription_order(make_session(trial_days=None), None).trial_days is None
    assert subscription_order(make_session(trial_days=0), None).trial_days == 0


def test_a_session_that_takes_codes_passes_the_visitors_code_on() -> None:
    order = subscription_order(make_session(allow_promotion_codes=True), "launch")

    assert order.promotion_code == "LAUNCH"
    assert (order.plan_id, order.currency) == ("pro", "USD")


def test_no_code_is_fine_whether_or_not_the_session_takes_codes() -> None:
    for allowed in (True, False):
        order = subscription_order(make_session(allow_promotion_codes=allowed), None)
        assert order.promotion_code is None


# --- priced_order: billed today ---------------------------------------------------------------


def test_an_order_without_a_trial_is_due_today_in_full() -> None:
    made = paid_order(make_subscription())

    quote = priced_order(made, NOW)

    assert [(line.key, line.amount) for line in quote.lines] == [
        ("plan:pro", 1900),
        ("addon:seats", 1000),
    ]
    assert (quote.subtotal, quote.discount, quote.total, quote.due_today) == (2900, 0, 2900, 2900)
    assert (quote.trial_days, quote.trial_end, quote.first_charge_at) == (0, None, NOW)
    assert (quote.currency, quote.billing_period) == ("USD", "monthly")
    assert (quote.promotion_code, quote.coupon_name) == (None, None)


def test_an_order_without_a_trial_quotes_its_billing_records_lines() -> None:
    made = paid_order(make_subscription())
    assert made.record is not None

    quote = priced_order(made, NOW)

    assert quote.lines == made.record.lines
    assert all(
        (line.period_start, line.period_end) == (NOW, made.subscription.current_period_end)
        for line in quote.lines
    )


def test_a_forever_coupon_comes_off_todays_charge() -> None:
    made = paid_order(make_subscription(coupon=applied(TEN_PERCENT, None, "LAUNCH")), "Launch")

    quote = priced_order(made, NOW)

    assert (quote.subtotal, quote.discount, quote.total, quote.due_today) == (2900, 290, 2610, 2610)
    assert (quote.promotion_code, quote.coupon_name) == ("LAUNCH", "Launch")


def test_a_once_coupon_comes_off_todays_charge_and_names_its_code() -> None:
    """The first charge uses the coupon's only period up (the subscription keeps none): the
    quote still shows the code that took the discount off."""
    made = paid_order(make_subscription(coupon=applied(FIVE_OFF, 1, "FIVE")), "Five off")

    quote = priced_order(made, NOW)

    assert (quote.subtotal, quote.discount, quote.total, quote.due_today) == (2900, 500, 2400, 2400)
    assert (quote.promotion_code, quote.coupon_name) == ("FIVE", "Five off")


def test_an_amount_off_is_never_more_than_the_charge() -> None:
    made = paid_order(
        make_subscription(price=300, addons=[], coupon=applied(FIVE_OFF, None, "FIVE")),
        "Five off",
    )

    quote = priced_order(made, NOW)

    assert (quote.subtotal, quote.discount, quote.total, quote.due_today) == (300, 300, 0, 0)


# --- priced_order: in a trial -----------------------------------------------------------------


def test_an_order_in_a_trial_is_free_today_and_charges_when_the_trial_ends() -> None:
    trial_end = NOW + timedelta(days=14)
    made = trial_order(make_subscription(trial_end=trial_end))

    quote = priced_order(made, NOW)

    assert (quote.subtotal, quote.discount, quote.total, quote.due_today) == (2900, 0, 2900, 0)
    assert (quote.trial_days, quote.trial_end, quote.first_charge_at) == (14, trial_end, trial_end)


def test_a_trial_quotes_its_first_paid_period() -> None:
    trial_end = NOW + timedelta(days=14)
    made = trial_order(make_subscription(trial_end=trial_end))

    quote = priced_order(made, NOW)

    assert [(line.key, line.amount) for line in quote.lines] == [
        ("plan:pro", 1900),
        ("addon:seats", 1000),
    ]
    first_paid = (trial_end, datetime(2030, 2, 28, 12, tzinfo=UTC))
    assert {(line.period_start, line.period_end) for line in quote.lines} == {first_paid}
    assert made.subscription.current_period_end == trial_end, "the order itself is unchanged"


def test_a_yearly_trial_quotes_a_year_after_it() -> None:
    trial_end = NOW + timedelta(days=30)
    made = trial_order(make_subscription(trial_end=trial_end, billing_period="annual"))

    quote = priced_order(made, NOW)

    assert quote.billing_period == "annual"
    assert {(line.period_start, line.period_end) for line in quote.lines} == {
        (trial_end, datetime(2031, 2, 14, 12, tzinfo=UTC))
    }


def test_a_coupon_in_a_trial_comes_off_the_first_charge() -> None:
    made = trial_order(
        make_subscription(
            trial_end=NOW + timedelta(days=7), coupon=applied(TEN_PERCENT, 1, "LAUNCH")
        ),
        "Launch",
    )

    quote = priced_order(made, NOW)

    assert (quote.subtotal, quote.discount, quote.total, quote.due_today) == (2900, 290, 2610, 0)
    assert (quote.promotion_code, quote.coupon_name) == ("LAUNCH", "Launch")
    assert made.subscription.coupon is not None, "quoting does not use the coupon up"


def test_a_free_plan_without_a_trial_charges_nothing() -> None:
    made = Order(make_subscription(price=0, addons=[]), Put({}), None, None)

    quote = priced_order(made, NOW)

    assert quote.lines == []
    assert (quote.subtotal, quote.discount, quote.total, quote.due_today) == (0, 0, 0, 0)
    assert (quote.trial_end, quote.first_charge_at) == (None, NOW)
