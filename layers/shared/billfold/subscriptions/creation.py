"""Creating a subscription: one live subscription per customer, with the plan's trial once
per customer, the seller's coupon or a customer's promotion code; the subscription, the
customer's materialized entitlements and any billing record are written in one transaction."""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from billfold.billing.periods import Period, billing_period_at
from billfold.catalog.addons import addon_store
from billfold.catalog.coupons import Coupon, coupon_for
from billfold.catalog.models import Plan
from billfold.catalog.promotion_codes import Redemption, redemption
from billfold.clock import Clock, as_utc
from billfold.customers.service import get_customer, had_trial, trial_taken_put
from billfold.errors import (
    Conflict,
    ErrorCode,
    InvalidInput,
    changed_concurrently,
)
from billfold.storage.table import Condition, ConditionFailed, Delete, Put, Table, Update
from billfold.subscriptions.billing_records import full_period_lines, period_record
from billfold.subscriptions.changes import entitlements_write, transact_redeeming
from billfold.subscriptions.discounts import applied_coupon
from billfold.subscriptions.events import change_events
from billfold.subscriptions.models import (
    BillingRecord,
    Subscription,
    SubscriptionCreate,
    SubscriptionView,
)
from billfold.subscriptions.pricing import live_plan, plan_price, priced
from billfold.subscriptions.reads import current_view
from billfold.subscriptions.store import (
    billing_record_item,
    never_billed,
    read_subscription,
    subscription_item,
)

_ORDER = "order_fingerprint"
"""The SHA-256 of the create request that made a subscription: the same create again is a
retry and gets that subscription back."""


_NO_LIVE_SUBSCRIPTION = Condition(
    "attribute_not_exists(pk) OR #status = :canceled",
    {"#status": "status"},
    {":canceled": "canceled"},
)


def _fingerprint(request: SubscriptionCreate) -> str:
    """The create request's identity: the same order (add-ons in any order) hashes the same."""
    canonical = request.model_copy(
        update={"addons": sorted(request.addons, key=lambda a: a.addon_id)}
    )
    return hashlib.sha256(canonical.model_dump_json().encode()).hexdigest()


def _first_period(
    request: SubscriptionCreate, trial_days: int, now: datetime
) -> tuple[datetime, Period, datetime | None]:
    """The billing anchor, the current period and the trial end of a new subscription."""
    if request.start_at is not None and request.start_at.tzinfo is None:
        raise InvalidInput("startAt needs a timezone (e.g. Z)", field="startAt")
    start = as_utc(request.start_at) if request.start_at else now
    if start > now:
        raise InvalidInput("startAt cannot be in the future", field="startAt")
    if trial_days:
        trial_end = start + timedelta(days=trial_days)
        if trial_end > now:
            return trial_end, Period(start=start, end=trial_end), trial_end
        start = trial_end
    return start, billing_period_at(start, request.billing_period, now), None


def _trial_days(table: Table, customer_id: str, request: SubscriptionCreate, plan: Plan) -> int:
    """The seller's `trialDays` if given; else the plan's trial, unless the customer had one."""
    if request.trial_days is not None:
        return request.trial_days
    if not plan.trial_days or had_trial(table, customer_id):
        return 0
    return plan.trial_days


def _discount(
    table: Table, customer_id: str, request: SubscriptionCreate, now: datetime
) -> tuple[Coupon | None, Redemption | None]:
    """The coupon the seller gave, or the one a promotion code redeems."""
    if request.coupon_id:
        return coupon_for(table, request.coupon_id, request.currency, "couponId"), None
    if request.promotion_code:
        redeemed = redemption(
            table,
            request.promotion_code,
            customer_id,
            request.currency,
            now,
            lambda: never_billed(table, customer_id),
        )
        return redeemed.coupon, redeemed
    return None, None


def replayed_order(
    table: Table, customer_id: str, request: SubscriptionCreate
) -> SubscriptionView | None:
    """The live subscription this same create request made before (a retry), if any."""
    return _replayed(table, customer_id, _fingerprint(request))


def _replayed(table: Table, customer_id: str, order: str) -> SubscriptionView | None:
    """The live subscription the create with this fingerprint made, if any."""
    stored = read_subscription(table, customer_id, consistent=True)
    if stored is None or stored.get("status") == "canceled" or stored.get(_ORDER) != order:
        return None
    return current_view(table, Subscription.model_validate(stored))


@dataclass(frozen=True)
class Order:
    """A subscription as a create request would make it, not yet written: what it bills now
    (None in a trial) and the promotion code redemption it would write."""

    subscription: Subscription
    entitlements: Put
    record: BillingRecord | None
    redeemed: Redemption | None


def new_subscription(
    table: Table, customer_id: str, request: SubscriptionCreate, now: datetime
) -> Order:
    """The subscription `request` makes for the customer at `now`, checked against the
    catalog (4xx naming the field), without writing anything."""
    plan = live_plan(table, request.plan_id)
    price = plan_price(plan, request.billing_period, request.currency)
    heads = addon_store(table).many(a.addon_id for a in request.addons)
    addons = [
        priced(
            heads.current(wanted.addon_id),
            wanted,
            plan,
            request.billing_period,
            request.currency,
            f"addons.{i}",
        )
        for i, wanted in enumerate(request.addons)
    ]
    trial_days = _trial_days(table, customer_id, request, plan)
    anchor, period, trial_end = _first_period(request, trial_days, now)
    coupon, redeemed = _discount(table, customer_id, request, now)
    subscription = Subscription(
        id=f"sub_{uuid.uuid4().hex}",
        customer_id=customer_id,
        status="trialing" if trial_end else "active",
        plan_id=plan.id,
        plan_version=plan.version,
        plan_name=plan.name,
        billing_period=request.billing_period,
        currency=request.currency,
        price=price,
        addons=[subscribed for _, subscribed in addons],
        billing_anchor=anchor,
        usage_anchor=anchor,
        current_period_start=period.start,
        current_period_end=period.end,
        trial_end=trial_end,
        coupon=(
            applied_coupon(coupon, request.billing_period, request.promotion_code)
            if coupon
            else None
        ),
        created_at=now,
        updated_at=now,
    )
    lines = [] if trial_end else full_period_lines(subscription)
    record = None
    if lines:
        subscription, record = period_record(subscription, "subscription_created", lines, now)
    entitlements = entitlements_write(table, subscription, plan, addons, now)
    return Order(subscription, entitlements, record, redeemed)


def create_subscription(
    table: Table, customer_id: str, request: SubscriptionCreate, clock: Clock
) -> SubscriptionView:
    """Subscribe the customer. Repeating the same create returns the live subscription (safe
    to retry); any other create while one is live is a 409 `subscription_exists`."""
    now = clock.now()
    order = _fingerprint(request)
    if request.promotion_code and (replayed := _replayed(table, customer_id, order)):
        return replayed  # before redeeming: this customer's redemption is already written
    get_customer(table, customer_id, consistent=True)
    made = new_subscription(table, customer_id, request, now)
    subscription, record = made.subscription, made.record
    writes: list[Put | Update | Delete] = [
        Put({**subscription_item(subscription), _ORDER: order}, _NO_LIVE_SUBSCRIPTION),
        made.entitlements,
    ]
    if record is not None:
        writes.append(Put(billing_record_item(record)))
    if subscription.trial_end is not None:
        writes.append(trial_taken_put(customer_id, subscription.trial_end))
    writes += change_events(None, subscription, now, made.entitlements)
    try:
        transact_redeeming(table, writes, made.redeemed)
    except ConditionFailed:
        stored = read_subscription(table, customer_id, consistent=True)
        if stored is None or stored.get("status") == "canceled":
            raise changed_concurrently("subscription of customer", customer_id) from None
        if stored.get(_ORDER) == order:
            return current_view(table, Subscription.model_validate(stored))
        raise Conflict(
            f"customer '{customer_id}' already has a live subscription: change or cancel it",
            code=ErrorCode.SUBSCRIPTION_EXISTS,
        ) from None
    return current_view(table, subscription, record.net_due if record else 0)
