"""Changing a subscription's plan, billing period or add-ons: the preview and the change itself.

Both run the same planning (`plan_change`), so a preview's numbers are exactly those the change
then bills at the same moment. When a change applies is decided by the rules in
`billfold.subscriptions.timing` (as Stripe's, with the catalog's say on downgrades). What it
bills: in a trial, nothing; applied now, the difference prorated to the second
(`billfold.billing.proration`), a credit going to the customer's balance; monthly to annual
restarts the cycle, crediting the unused time and charging the year from now.

Usage counted this period survives a change, unless the new plan has `resetUsageOnChange`.
A change that leaves usage above a new limit is allowed and reported in `overLimit` (checks
then refuse further use of a hard limit).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from billfold.billing.lines import BillingLine, net
from billfold.billing.periods import Period
from billfold.billing.proration import (
    PricedItem,
    prorate_change,
    restart_cycle_change,
)
from billfold.catalog.addons import addon_store
from billfold.catalog.models import Addon, Plan
from billfold.catalog.plans import plan_store
from billfold.catalog.promotion_codes import Redemption, redemption
from billfold.catalog.terms import BillingPeriod
from billfold.catalog.versions import Snapshot
from billfold.clock import Clock
from billfold.credits.ledger import balance_of
from billfold.entitlements import materialized
from billfold.entitlements.check import current_usage_period
from billfold.entitlements.models import MaterializedEntitlements
from billfold.errors import Conflict, ErrorCode, RuleViolation
from billfold.storage.table import Put, Table
from billfold.subscriptions import pricing
from billfold.subscriptions.changes import entitlement_terms, write_change
from billfold.subscriptions.discounts import applied_coupon
from billfold.subscriptions.models import (
    AddonQuantity,
    AppliedCoupon,
    BillingRecord,
    ChangePreview,
    ChangeResult,
    ChangeTiming,
    OverLimit,
    ScheduledChange,
    SubscribedAddon,
    Subscription,
    SubscriptionChange,
)
from billfold.subscriptions.pricing import on_sale, plan_price
from billfold.subscriptions.reads import live_subscription, view
from billfold.subscriptions.store import never_billed
from billfold.subscriptions.timing import kind_of, timing
from billfold.subscriptions.upcoming import credit_left, upcoming_invoice
from billfold.usage.counters import read_entitlements_item_and_usage
from billfold.usage.models import Counter

HeldAddons = list[tuple[Addon, SubscribedAddon]]
_TERMS = ("plan_id", "plan_version", "billing_period", "price")


@dataclass(frozen=True)
class PlannedChange:
    """A change worked out but not yet written: the subscription before and after, the billing
    record of what it bills now (if anything) and the preview that describes it."""

    before: Subscription
    after: Subscription
    record: BillingRecord | None
    preview: ChangePreview
    credit: int
    """The credit balance left for the next renewal once this change's invoice is issued."""
    entitlements: Put | None
    """The customer's entitlements as the change leaves them, on the version read while
    planning (None: a change for later, which leaves them as they are)."""
    redemption: Redemption | None = None
    """The promotion code the change redeems, written in the change's transaction."""


@dataclass(frozen=True)
class _Catalog:
    """What a change needs of the catalog, read once: plans and add-ons (heads and the
    versions the subscription holds)."""

    plans: Snapshot[Plan]
    addons: Snapshot[Addon]


def _catalog(table: Table, current: Subscription, request: SubscriptionChange) -> _Catalog:
    plan_ids = {current.plan_id, *([request.plan_id] if request.plan_id else [])}
    plans = plan_store(table).many(plan_ids, [(current.plan_id, current.plan_version)])
    held = [(a.addon_id, a.version) for a in current.addons]
    wanted = {a.addon_id for a in request.addons or []}
    no_addons: Snapshot[Addon] = Snapshot({}, {}, "addon")
    addons = addon_store(table).many(wanted, held) if wanted or held else no_addons
    return _Catalog(plans, addons)


def _target_plan(catalog: _Catalog, current: Subscription, request: SubscriptionChange) -> Plan:
    """The plan wanted: the version held when it stays the same plan, else the one on sale."""
    if request.plan_id is None or request.plan_id == current.plan_id:
        return catalog.plans.version(current.plan_id, current.plan_version)
    return on_sale(catalog.plans.current(request.plan_id), request.plan_id)


def _target_addons(
    catalog: _Catalog,
    current: Subscription,
    request: SubscriptionChange,
    plan: Plan,
    period: BillingPeriod,
) -> HeldAddons:
    """The add-ons wanted, priced. One already held on the same plan and period keeps the
    version and price it was sold at (its quantity within that version's maximum); any other
    is sold at the add-on's current version."""
    wanted = request.addons
    if wanted is None:
        wanted = [AddonQuantity(addon_id=a.addon_id, quantity=a.quantity) for a in current.addons]
    keeps_terms = plan.id == current.plan_id and period == current.billing_period
    held = {addon.addon_id: addon for addon in current.addons} if keeps_terms else {}
    chosen: HeldAddons = []
    for index, want in enumerate(wanted):
        field = f"addons.{index}"
        kept = held.get(want.addon_id)
        if kept is None:
            head = catalog.addons.current(want.addon_id)
            chosen.append(pricing.priced(head, want, plan, period, current.currency, field))
            continue
        addon = catalog.addons.version(kept.addon_id, kept.version)
        if want.quantity > addon.max_quantity:
            raise RuleViolation(
                f"add-on '{addon.id}' allows at most {addon.max_quantity}",
                field=f"{field}.quantity",
                code=ErrorCode.QUANTITY_ABOVE_MAX,
            )
        chosen.append((addon, kept.model_copy(update={"quantity": want.quantity})))
    return chosen


def _items(subscription: Subscription) -> list[PricedItem]:
    """The subscription's priced items, as proration sees them."""
    plan = PricedItem(
        key=f"plan:{subscription.plan_id}",
        description=f"{subscription.plan_name} ({subscription.billing_period})",
        unit_amount=subscription.price,
        quantity=1,
    )
    return [plan] + [
        PricedItem(
            key=f"addon:{a.addon_id}",
            description=a.name,
            unit_amount=a.unit_amount,
            quantity=a.quantity,
            price_model=a.price_model,
        )
        for a in subscription.addons
    ]


def _terms(subscription: Subscription) -> tuple[object, ...]:
    addons = sorted(subscription.addons, key=lambda a: a.addon_id)
    return (*(getattr(subscription, f) for f in _TERMS), addons)


def _same_terms(a: Subscription, b: Subscription) -> bool:
    """Whether both sell the same plan version, period, price and add-ons (in any order)."""
    return _terms(a) == _terms(b)


def _timing(current: Subscription, target: Subscription, current_plan: Plan) -> ChangeTiming:
    kind = kind_of(
        same_terms=_same_terms(current, target),
        period=current.billing_period,
        target_period=target.billing_period,
        period_total=current.period_total,
        target_period_total=target.period_total,
    )
    return timing(
        kind,
        trialing=current.status == "trialing",
        downgrade_timing=current_plan.downgrade_timing,
        changes_the_rest=bool(current.scheduled_change) or current.coupon != target.coupon,
    )


def _entitlements(
    table: Table, target: Subscription, plan: Plan, addons: HeldAddons, now: datetime
) -> tuple[MaterializedEntitlements, int | None, dict[str, Counter]]:
    """The customer's entitlements under `target`, the version of the stored item they would
    replace, and the usage counters: one consistent Query (the stored item carries the
    promotions it was computed with) and the features' batch."""
    item, counters = read_entitlements_item_and_usage(table, target.customer_id, consistent=True)
    stored = materialized.parse(item) if item else None
    terms = entitlement_terms(target, plan, addons)
    promotions = stored.promotions if stored else None
    document = materialized.compute(table, target.customer_id, terms, now, promotions)
    return document, materialized.version_of(item), counters


def _over_limit(
    entitlements: MaterializedEntitlements,
    counters: dict[str, Counter],
    anchor: datetime,
    now: datetime,
) -> list[OverLimit]:
    """The metered features whose usage this period passes the limits `entitlements` give."""
    over: list[OverLimit] = []
    for feature_id, entry in sorted(entitlements.entries.items()):
        counter = counters.get(feature_id)
        if entry.limit is None or counter is None:
            continue
        used = counter.used_in(current_usage_period(entry, anchor, now))
        if used > entry.limit:
            over.append(OverLimit(feature_id=feature_id, usage=used, limit=entry.limit))
    return over


def _record(subscription: Subscription, lines: list[BillingLine], now: datetime) -> BillingRecord:
    return BillingRecord(
        id=f"br_{uuid.uuid4().hex}",
        customer_id=subscription.customer_id,
        subscription_id=subscription.id,
        reason="change",
        currency=subscription.currency,
        lines=lines,
        created_at=now,
    )


def _applied_now(
    current: Subscription, target: Subscription, now: datetime
) -> tuple[Subscription, list[BillingLine]]:
    """The subscription after a change applied at `now`, and the lines it bills."""
    after = target.model_copy(update={"scheduled_change": None})
    if current.status == "trialing" or _same_terms(current, target):
        return after, []
    period = Period(start=current.current_period_start, end=current.current_period_end)
    if current.billing_period != target.billing_period:
        lines, cycle = restart_cycle_change(
            _items(current), _items(target), period, now, target.billing_period, target.currency
        )
        restarted = after.model_copy(
            update={
                "billing_anchor": cycle.start,
                "current_period_start": cycle.start,
                "current_period_end": cycle.end,
            }
        )
        return restarted, lines
    return after, prorate_change(_items(current), _items(target), period, now, target.currency)


def _scheduled(current: Subscription, target: Subscription, resets_usage: bool) -> Subscription:
    change = ScheduledChange(
        effective_at=current.current_period_end,
        plan_id=target.plan_id,
        plan_version=target.plan_version,
        plan_name=target.plan_name,
        billing_period=target.billing_period,
        price=target.price,
        addons=target.addons,
        reset_usage=resets_usage,
    )
    return current.model_copy(update={"scheduled_change": change})


def _promotion(
    table: Table, current: Subscription, request: SubscriptionChange, now: datetime
) -> tuple[AppliedCoupon | None, Redemption | None]:
    """The coupon the subscription has after the change, and the redemption of the code that
    puts it there (none when the code is the one already on it: a retried change)."""
    code = request.promotion_code
    if code is None or (current.coupon and current.coupon.promotion_code == code):
        return current.coupon, None
    customer_id = current.customer_id
    redeemed = redemption(
        table, code, customer_id, current.currency, now, lambda: never_billed(table, customer_id)
    )
    period = request.billing_period or current.billing_period
    return applied_coupon(redeemed.coupon, period, redeemed.code), redeemed


def _checked_current(table: Table, customer_id: str, now: datetime) -> Subscription:
    current = live_subscription(table, customer_id)
    due = current.trial_end if current.status == "trialing" else current.current_period_end
    if due is not None and now >= due:
        raise Conflict(
            "the subscription's period has ended and its renewal is being processed; "
            "retry in a moment",
            code=ErrorCode.RENEWAL_PENDING,
        )
    return current


def plan_change(
    table: Table, customer_id: str, request: SubscriptionChange, now: datetime
) -> PlannedChange:
    """Work out what `request` does to the customer's subscription at `now` (writes nothing)."""
    current = _checked_current(table, customer_id, now)
    catalog = _catalog(table, current, request)
    plan = _target_plan(catalog, current, request)
    period = request.billing_period or current.billing_period
    addons = _target_addons(catalog, current, request, plan, period)
    resets_usage = plan.id != current.plan_id and plan.reset_usage_on_change
    coupon, redeemed = _promotion(table, current, request, now)
    target = current.model_copy(
        update={
            "plan_id": plan.id,
            "plan_version": plan.version,
            "plan_name": plan.name,
            "billing_period": period,
            "price": (
                current.price
                if (plan.id, plan.version, period)
                == (current.plan_id, current.plan_version, current.billing_period)
                else plan_price(plan, period, current.currency)
            ),
            "addons": [held for _, held in addons],
            "usage_anchor": now if resets_usage else current.usage_anchor,
            "coupon": coupon,
        }
    )
    current_plan = catalog.plans.version(current.plan_id, current.plan_version)
    timing = _timing(current, target, current_plan)
    lines: list[BillingLine] = []
    if timing == "period_end":
        after = _scheduled(current, target, resets_usage).model_copy(update={"coupon": coupon})
    elif timing == "now":
        after, lines = _applied_now(current, target, now)
    else:
        after = current
    total = net(lines)
    entitlements, version, counters = _entitlements(table, target, plan, addons, now)
    balance = balance_of(table, customer_id, current.currency, consistent=True)
    credit = credit_left(balance, total)
    applied = min(balance, max(total, 0))
    preview = ChangePreview(
        timing=timing,
        effective_at=current.current_period_end if timing == "period_end" else now,
        currency=current.currency,
        lines=lines,
        due_now=max(total, 0) - applied,
        credit_applied=applied,
        credit=max(-total, 0),
        next_renewal=upcoming_invoice(after, credit),
        resets_usage=resets_usage and timing != "nothing",
        over_limit=_over_limit(entitlements, counters, target.usage_anchor, now),
    )
    record = _record(after, lines, now) if lines else None
    rewrite = materialized.put(entitlements, version) if timing == "now" else None
    return PlannedChange(current, after, record, preview, credit, rewrite, redeemed)


def preview_change(
    table: Table, customer_id: str, request: SubscriptionChange, clock: Clock
) -> ChangePreview:
    """What the change would do now, changing nothing."""
    return plan_change(table, customer_id, request, clock.now()).preview


def change_subscription(
    table: Table, customer_id: str, request: SubscriptionChange, clock: Clock
) -> ChangeResult:
    """Apply the change: the subscription, its entitlements and any billing record in one
    transaction, conditional on the subscription being as read (409 otherwise). Asking again
    for what the subscription already is changes nothing, so a retry never bills twice."""
    now = clock.now()
    planned = plan_change(table, customer_id, request, now)
    after = planned.before
    if planned.preview.timing != "nothing":
        after = write_change(
            table,
            planned.before,
            planned.after,
            now,
            planned.record,
            planned.redemption,
            planned.entitlements,
        )
    return ChangeResult(subscription=view(after, planned.credit), change=planned.preview)
