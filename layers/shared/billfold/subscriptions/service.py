"""Subscriptions: create (one live subscription per customer) and read.

Every write puts the subscription, the customer's materialized entitlements and any billing
record in one transaction, so an entitlement check never sees one without the other.
"""

import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from billfold.billing.periods import Period, as_utc, billing_period_at
from billfold.billing.proration import ProrationLine
from billfold.catalog.addons import addon_store
from billfold.catalog.coupons import coupon_for
from billfold.catalog.features import features_by_id
from billfold.catalog.models import Addon, BillingPeriod, Plan
from billfold.catalog.plans import plan_store
from billfold.clock import Clock
from billfold.customers.service import get_customer
from billfold.entitlements.models import MaterializedEntitlements, Promotion
from billfold.entitlements.promotions_store import customer_promotions
from billfold.entitlements.resolve import materialize
from billfold.errors import Conflict, InvalidInput, NotFound, RuleViolation, changed_concurrently
from billfold.storage import keys
from billfold.storage.table import Condition, ConditionFailed, Put, Table
from billfold.subscriptions.discounts import applied_coupon, take_discount
from billfold.subscriptions.models import (
    AddonQuantity,
    BillingReason,
    BillingRecord,
    NextInvoice,
    SubscribedAddon,
    Subscription,
    SubscriptionCreate,
    SubscriptionView,
)
from billfold.subscriptions.pricing import plan_price, subscribed_addon
from billfold.subscriptions.store import (
    billing_record_item,
    entitlements_version,
    subscription_item,
    versioned_entitlements_put,
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


def live_plan(table: Table, plan_id: str) -> Plan:
    """The plan's current version, if it exists and is on sale (else 400 or 422)."""
    plan = plan_store(table).current(plan_id, consistent=True)
    if plan is None:
        raise InvalidInput(f"plan '{plan_id}' does not exist", field="planId", code="unknown_plan")
    if plan.status != "active":
        raise RuleViolation(f"plan '{plan_id}' is archived", field="planId", code="plan_archived")
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
            code="unknown_addon",
        )
    return addon, subscribed_addon(addon, wanted.quantity, plan, period, currency, field)


def _first_period(
    request: SubscriptionCreate, plan: Plan, now: datetime
) -> tuple[datetime, Period, datetime | None]:
    """The billing anchor, the current period and the trial end of a new subscription."""
    if request.start_at is not None and request.start_at.tzinfo is None:
        raise InvalidInput("startAt needs a timezone (e.g. Z)", field="startAt")
    start = as_utc(request.start_at) if request.start_at else now
    if start > now:
        raise InvalidInput("startAt cannot be in the future", field="startAt")
    trial_days = plan.trial_days if request.trial_days is None else request.trial_days
    if trial_days:
        trial_end = start + timedelta(days=trial_days)
        if trial_end > now:
            return trial_end, Period(start=start, end=trial_end), trial_end
        start = trial_end
    return start, billing_period_at(start, request.billing_period, now), None


def full_period_lines(subscription: Subscription) -> list[ProrationLine]:
    """Charges for one whole period of everything held, in advance."""
    lines = [
        ProrationLine(
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
        ProrationLine(
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
    get_customer(table, customer_id, consistent=True)
    plan = live_plan(table, request.plan_id)
    price = plan_price(plan, request.billing_period, request.currency)
    addons = [
        priced_addon(table, wanted, plan, request.billing_period, request.currency, f"addons.{i}")
        for i, wanted in enumerate(request.addons)
    ]
    anchor, period, trial_end = _first_period(request, plan, now)
    coupon = (
        applied_coupon(
            coupon_for(table, request.coupon_id, request.currency, "couponId"),
            request.billing_period,
        )
        if request.coupon_id
        else None
    )
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
        coupon=coupon,
        created_at=now,
        updated_at=now,
    )
    order = _fingerprint(request)
    lines = [] if trial_end else full_period_lines(subscription)
    record = None
    if lines:
        subscription, record = period_record(subscription, "subscription_created", lines, now)
    writes = [
        Put({**subscription_item(subscription), _ORDER: order}, _NO_LIVE_SUBSCRIPTION),
        entitlements_write(table, subscription, plan, addons, now),
    ]
    if record is not None:
        writes.append(Put(billing_record_item(record)))
    try:
        table.transact(writes)
    except ConditionFailed:
        stored = table.get(keys.subscription(customer_id), consistent=True)
        if stored is None or stored.get("status") == "canceled":
            raise changed_concurrently("subscription of customer", customer_id) from None
        if stored.get(_ORDER) == order:
            return view(Subscription.model_validate(stored))
        raise Conflict(
            f"customer '{customer_id}' already has a live subscription: change or cancel it",
            code="subscription_exists",
        ) from None
    return view(subscription)


def period_record(
    subscription: Subscription, reason: BillingReason, lines: list[ProrationLine], at: datetime
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


def materialized(
    table: Table,
    subscription: Subscription,
    plan: Plan,
    addons: Sequence[tuple[Addon, SubscribedAddon]],
    now: datetime,
    promotions: Sequence[Promotion] | None = None,
) -> MaterializedEntitlements:
    """The customer's entitlements under `subscription`: plan, add-ons and promotions (the
    stored ones unless given)."""
    if promotions is None:
        promotions = customer_promotions(table, subscription.customer_id)
    feature_ids = {e.feature_id for e in plan.effective_entitlements}
    feature_ids |= {e.feature_id for addon, _ in addons for e in addon.entitlements}
    feature_ids |= {p.feature_id for p in promotions}
    return materialize(
        subscription.customer_id,
        plan=plan,
        subscription_status=subscription.status,
        subscription_anchor=subscription.usage_anchor,
        addons=[(addon, held.quantity) for addon, held in addons],
        promotions=promotions,
        features=features_by_id(table, feature_ids),
        now=now,
    )


def entitlements_write(
    table: Table,
    subscription: Subscription,
    plan: Plan,
    addons: Sequence[tuple[Addon, SubscribedAddon]],
    now: datetime,
    promotions: Sequence[Promotion] | None = None,
) -> Put:
    """The write of the customer's re-materialized entitlements, conditional on the item's
    version as read *before* the promotions were: a promotion granted or revoked meanwhile
    makes the write fail instead of being lost (see `billfold.entitlements.promotions`)."""
    version = entitlements_version(table, subscription.customer_id)
    document = materialized(table, subscription, plan, addons, now, promotions)
    return versioned_entitlements_put(document, version)


def view(subscription: Subscription) -> SubscriptionView:
    """The subscription with what it will bill next (nothing once canceled or canceling)."""
    next_invoice = None
    if subscription.status != "canceled" and not subscription.cancel_at_period_end:
        next_invoice = NextInvoice(
            amount=subscription.period_total,
            currency=subscription.currency,
            date=subscription.trial_end or subscription.current_period_end,
        )
    return SubscriptionView(**subscription.model_dump(), next_invoice=next_invoice)


def live_subscription(table: Table, customer_id: str) -> Subscription:
    """The customer's subscription, read consistently, if it is not canceled (else 409
    `subscription_canceled`: a canceled subscription is replaced, never changed)."""
    current = stored_subscription(table, customer_id)
    if current.status == "canceled":
        raise Conflict(
            f"the subscription of customer '{customer_id}' is canceled: create a new one",
            code="subscription_canceled",
        )
    return current


def stored_subscription(table: Table, customer_id: str) -> Subscription:
    """The customer's subscription as stored (read consistently), or NotFound."""
    stored = table.get(keys.subscription(customer_id), consistent=True)
    if stored is None:
        get_customer(table, customer_id)
        raise NotFound(f"customer '{customer_id}' has no subscription", code="no_subscription")
    return Subscription.model_validate(stored)


def get_subscription(table: Table, customer_id: str) -> SubscriptionView:
    """The customer's current subscription, or NotFound `no_subscription`."""
    stored = table.get(keys.subscription(customer_id))
    if stored is None:
        get_customer(table, customer_id)
        raise NotFound(f"customer '{customer_id}' has no subscription", code="no_subscription")
    return view(Subscription.model_validate(stored))
