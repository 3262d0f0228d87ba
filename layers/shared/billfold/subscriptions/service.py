"""Subscriptions: create (one live subscription per customer) and read.

Every write puts the subscription, the customer's materialized entitlements and any billing
record in one transaction, so an entitlement check never sees one without the other.
"""

import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from billfold.billing.lines import BillingLine
from billfold.billing.periods import Period, billing_period_at
from billfold.catalog.addons import addon_store
from billfold.catalog.coupons import Coupon, coupon_for
from billfold.catalog.models import Addon, Plan
from billfold.catalog.plans import plan_store
from billfold.catalog.promotion_codes import Redemption, invalid_promotion_code, redemption
from billfold.catalog.terms import BillingPeriod
from billfold.clock import Clock, as_utc
from billfold.credits.ledger import balance_of
from billfold.customers.service import get_customer, had_trial, trial_taken_put
from billfold.entitlements import materialized
from billfold.errors import (
    Conflict,
    ErrorCode,
    InvalidInput,
    NotFound,
    RuleViolation,
    changed_concurrently,
)
from billfold.storage import keys
from billfold.storage.table import Condition, ConditionFailed, Put, Table, Update
from billfold.subscriptions.discounts import applied_coupon, take_discount
from billfold.subscriptions.models import (
    AddonQuantity,
    BillingReason,
    BillingRecord,
    SubscribedAddon,
    Subscription,
    SubscriptionCreate,
    SubscriptionView,
)
from billfold.subscriptions.pricing import plan_price, subscribed_addon
from billfold.subscriptions.store import billing_record_item, never_billed, subscription_item
from billfold.subscriptions.upcoming import credit_left, upcoming_invoice

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


def live_plan(table: Table, plan_id: str) -> Plan:
    """The plan's current version, if it exists and is on sale (else 400 or 422)."""
    plan = plan_store(table).current(plan_id, consistent=True)
    if plan is None:
        raise InvalidInput(
            f"plan '{plan_id}' does not exist", field="planId", code=ErrorCode.UNKNOWN_PLAN
        )
    if plan.status != "active":
        raise RuleViolation(
            f"plan '{plan_id}' is archived", field="planId", code=ErrorCode.PLAN_ARCHIVED
        )
    return plan


def priced_addon(
    table: Table,
    wanted: AddonQuantity,
    plan: Plan,
    period: BillingPeriod,
    currency: str,
    field: str,
) -> tuple[Addon, SubscribedAddon]:
    """The add-on's current version as sold on `plan`: accepted, within max quantity, priced."""
    addon = addon_store(table).current(wanted.addon_id, consistent=True)
    if addon is None:
        raise InvalidInput(
            f"add-on '{wanted.addon_id}' does not exist",
            field=f"{field}.addonId",
            code=ErrorCode.UNKNOWN_ADDON,
        )
    return addon, subscribed_addon(addon, wanted.quantity, plan, period, currency, field)


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


def _replayed(table: Table, customer_id: str, order: str) -> SubscriptionView | None:
    """The live subscription this same create made before (a retry), if any."""
    stored = table.get(keys.subscription(customer_id), consistent=True)
    if stored is None or stored.get("status") == "canceled" or stored.get(_ORDER) != order:
        return None
    return current_view(table, Subscription.model_validate(stored))


def full_period_lines(subscription: Subscription) -> list[BillingLine]:
    """Charges for one whole period of everything held, in advance."""
    lines = [
        BillingLine(
            key=f"plan:{subscription.plan_id}",
            description=f"{subscription.plan_name} ({subscription.billing_period})",
            kind="charge",
            amount=subscription.price,
            currency=subscription.currency,
            quantity=1,
            unit_amount=subscription.price,
            period_start=subscription.current_period_start,
            period_end=subscription.current_period_end,
        )
    ]
    lines += [
        BillingLine(
            key=f"addon:{addon.addon_id}",
            description=f"{addon.quantity} \u00d7 {addon.name}",
            kind="charge",
            amount=addon.unit_amount * addon.quantity,
            currency=subscription.currency,
            quantity=addon.quantity,
            unit_amount=addon.unit_amount,
            period_start=subscription.current_period_start,
            period_end=subscription.current_period_end,
        )
        for addon in subscription.addons
    ]
    return [line for line in lines if line.amount]


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
    plan = live_plan(table, request.plan_id)
    price = plan_price(plan, request.billing_period, request.currency)
    addons = [
        priced_addon(table, wanted, plan, request.billing_period, request.currency, f"addons.{i}")
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
    writes: list[Put | Update] = [
        Put({**subscription_item(subscription), _ORDER: order}, _NO_LIVE_SUBSCRIPTION),
        entitlements_write(table, subscription, plan, addons, now),
    ]
    if record is not None:
        writes.append(Put(billing_record_item(record)))
    if trial_end is not None:
        writes.append(trial_taken_put(customer_id, trial_end))
    if redeemed is not None:
        writes += redeemed.writes
    try:
        table.transact(writes)
    except ConditionFailed as error:
        if 0 not in error.failed_indexes and redeemed and redeemed.lost(error, len(writes)):
            raise invalid_promotion_code() from None
        stored = table.get(keys.subscription(customer_id), consistent=True)
        if stored is None or stored.get("status") == "canceled":
            raise changed_concurrently("subscription of customer", customer_id) from None
        if stored.get(_ORDER) == order:
            return current_view(table, Subscription.model_validate(stored))
        raise Conflict(
            f"customer '{customer_id}' already has a live subscription: change or cancel it",
            code=ErrorCode.SUBSCRIPTION_EXISTS,
        ) from None
    return current_view(table, subscription, record.net_due if record else 0)


def period_record(
    subscription: Subscription, reason: BillingReason, lines: list[BillingLine], at: datetime
) -> tuple[Subscription, BillingRecord]:
    """The billing record of a billed period, with the coupon's discount if it still applies,
    and the subscription with that period of its coupon used up."""
    subscription, discount = take_discount(subscription)
    record = BillingRecord(
        id=f"br_{uuid.uuid4().hex}",
        customer_id=subscription.customer_id,
        subscription_id=subscription.id,
        reason=reason,
        currency=subscription.currency,
        lines=lines,
        discount=discount,
        created_at=at,
    )
    return subscription, record


def held_addons(addons: Sequence[tuple[Addon, SubscribedAddon]]) -> list[tuple[Addon, int]]:
    """The add-ons as entitlements count them: each version with the quantity held."""
    return [(addon, held.quantity) for addon, held in addons]


def entitlements_write(
    table: Table,
    subscription: Subscription,
    plan: Plan,
    addons: Sequence[tuple[Addon, SubscribedAddon]],
    now: datetime,
) -> Put:
    """The rewrite of the customer's materialized entitlements under `subscription`."""
    return materialized.rewrite(
        table,
        subscription.customer_id,
        plan=plan,
        addons=held_addons(addons),
        status=subscription.status,
        anchor=subscription.usage_anchor,
        now=now,
    )


def view(subscription: Subscription, credit: int) -> SubscriptionView:
    """The subscription with what its next invoice asks for, `credit` drawn from the balance."""
    next_invoice = upcoming_invoice(subscription, credit)
    return SubscriptionView(**subscription.model_dump(), next_invoice=next_invoice)


def current_view(table: Table, subscription: Subscription, billed_now: int = 0) -> SubscriptionView:
    """The view with the customer's credit balance read, after an invoice of net `billed_now`
    (the one just written with the subscription, not yet issued) has drawn on it or added."""
    balance = balance_of(table, subscription.customer_id, subscription.currency)
    return view(subscription, credit_left(balance, billed_now))


def live_subscription(table: Table, customer_id: str) -> Subscription:
    """The customer's subscription, read consistently, if it is not canceled (else 409
    `subscription_canceled`: a canceled subscription is replaced, never changed)."""
    current = stored_subscription(table, customer_id)
    if current.status == "canceled":
        raise Conflict(
            f"the subscription of customer '{customer_id}' is canceled: create a new one",
            code=ErrorCode.SUBSCRIPTION_CANCELED,
        )
    return current


def stored_subscription(table: Table, customer_id: str) -> Subscription:
    """The customer's subscription as stored (read consistently), or NotFound."""
    stored = table.get(keys.subscription(customer_id), consistent=True)
    if stored is None:
        get_customer(table, customer_id)
        raise NotFound(
            f"customer '{customer_id}' has no subscription", code=ErrorCode.NO_SUBSCRIPTION
        )
    return Subscription.model_validate(stored)


def get_subscription(table: Table, customer_id: str) -> SubscriptionView:
    """The customer's current subscription, or NotFound `no_subscription`."""
    stored = table.get(keys.subscription(customer_id))
    if stored is None:
        get_customer(table, customer_id)
        raise NotFound(
            f"customer '{customer_id}' has no subscription", code=ErrorCode.NO_SUBSCRIPTION
        )
    return current_view(table, Subscription.model_validate(stored))
