"""Deciding an entitlement check from the materialized item and the current usage.

Refusals are checked in order: no such customer, no subscription, subscription canceled,
feature not held, hard limit reached. Subscriptions that are trialing, active or past_due grant
access: past_due keeps access while the payment is retried, so a declined card does not switch
the customer's product off before dunning ends the subscription.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Literal

from billfold.billing.periods import Period, usage_period_at
from billfold.clock import as_utc
from billfold.entitlements.models import MaterializedEntitlements, ResolvedEntitlement
from billfold.models import ApiModel

DenialReason = Literal[
    "customer_not_found",
    "no_subscription",
    "subscription_canceled",
    "feature_not_in_plan",
    "limit_exceeded",
    "insufficient_credits",
    "spend_limit_reached",
]


class CreditCheck(ApiModel):
    """For a feature that draws prepaid credits: the balance of its credit type, the credits
    `requested` units need (`perUnit` each), and whether the balance covers them."""

    credit_type_id: str
    per_unit: int
    balance: int
    required: int
    affordable: bool


class EntitlementCheck(ApiModel):
    """The answer to "may this customer use `requested` more of this feature now?".

    `limit` and `remaining` are null when there is no amount to count against: unlimited and
    boolean features, and refusals made before the feature is found. `remaining` is never
    negative. The period and `resetAt` are set for metered features whose counter resets.
    `softLimitExceeded`: the use would pass a soft limit, so it is granted and billed as overage
    where the plan prices it. `reason` is null exactly when access is granted.
    """

    feature_id: str
    has_access: bool
    unlimited: bool
    limit: int | None
    usage: int
    remaining: int | None
    requested: int
    period_start: datetime | None
    period_end: datetime | None
    reset_at: datetime | None
    soft_limit_exceeded: bool
    credits: CreditCheck | None = None
    reason: DenialReason | None


def _refused(feature_id: str, usage: int, requested: int, reason: DenialReason) -> EntitlementCheck:
    return EntitlementCheck(
        feature_id=feature_id,
        has_access=False,
        unlimited=False,
        limit=None,
        usage=usage,
        remaining=None,
        requested=requested,
        period_start=None,
        period_end=None,
        reset_at=None,
        soft_limit_exceeded=False,
        reason=reason,
    )


def current_usage_period(
    entry: ResolvedEntitlement, anchor: datetime | None, now: datetime
) -> Period | None:
    """The counter's current window; a moment before the anchor counts in the first one."""
    if entry.reset_period is None or entry.reset_anchor is None or anchor is None:
        return None
    return usage_period_at(entry.reset_period, entry.reset_anchor, anchor, max(now, anchor))


def _credit_check(
    entry: ResolvedEntitlement, requested: int, balances: Mapping[str, int]
) -> CreditCheck | None:
    if entry.credits is None:
        return None
    balance = balances.get(entry.credits.credit_type_id, 0)
    required = requested * entry.credits.per_unit
    return CreditCheck(
        credit_type_id=entry.credits.credit_type_id,
        per_unit=entry.credits.per_unit,
        balance=balance,
        required=required,
        affordable=required <= balance,
    )


def _decide(
    entry: ResolvedEntitlement,
    anchor: datetime | None,
    usage: int,
    requested: int,
    now: datetime,
    balances: Mapping[str, int],
) -> EntitlementCheck:
    amount = entry.limit if entry.feature_type == "metered" else entry.value
    period = current_usage_period(entry, anchor, now) if entry.feature_type == "metered" else None
    over = amount is not None and usage + requested > amount
    refused = over and entry.feature_type == "metered" and entry.enforcement == "hard"
    credits = _credit_check(entry, requested, balances)
    reason: DenialReason | None = "limit_exceeded" if refused else None
    if reason is None and credits is not None and not credits.affordable:
        reason = "insufficient_credits"
    start, end = (period.start, period.end) if period else (None, None)
    return EntitlementCheck(
        feature_id=entry.feature_id,
        has_access=reason is None,
        unlimited=entry.unlimited,
        limit=amount,
        usage=usage,
        remaining=None if amount is None else max(amount - usage, 0),
        requested=requested,
        period_start=start,
        period_end=end,
        reset_at=end,
        soft_limit_exceeded=over and entry.feature_type == "metered" and not refused,
        credits=credits,
        reason=reason,
    )


def check_entitlement(
    materialized: MaterializedEntitlements | None,
    feature_id: str,
    usage: int,
    now: datetime,
    requested: int = 1,
    credit_balances: Mapping[str, int] | None = None,
) -> EntitlementCheck:
    """Whether the customer may use `requested` (>= 0) more of the feature, with `usage` so far.

    boolean: granted when held. metered: hard limits refuse when usage + requested > limit;
    soft limits grant and set `softLimitExceeded`. numeric: granted when held, with the value
    as `limit` (the caller compares it with what it counts). The usage period comes from the
    entry's reset period and anchor with the subscription anchor. Usage and requested below 0
    are ValueErrors. The item is taken as current: re-resolve it first if `is_stale(now)`.
    A feature that draws prepaid credits is refused (`insufficient_credits`) when the balance
    in `credit_balances` (by credit type) cannot pay for `requested` units.
    """
    now = as_utc(now, "now")
    if usage < 0 or requested < 0:
        raise ValueError("usage and requested must not be negative")
    if materialized is None:
        return _refused(feature_id, usage, requested, "customer_not_found")
    if not materialized.has_subscription:
        return _refused(feature_id, usage, requested, "no_subscription")
    if materialized.subscription_status == "canceled":
        return _refused(feature_id, usage, requested, "subscription_canceled")
    entry = materialized.entries.get(feature_id)
    if entry is None:
        return _refused(feature_id, usage, requested, "feature_not_in_plan")
    balances = credit_balances or {}
    return _decide(entry, materialized.subscription_anchor, usage, requested, now, balances)


def check_all(
    materialized: MaterializedEntitlements,
    usage_by_feature: Mapping[str, int],
    now: datetime,
    credit_balances: Mapping[str, int] | None = None,
) -> list[EntitlementCheck]:
    """A check (requested 1) of every feature the customer holds, by feature id; usage
    missing from `usage_by_feature` counts as 0."""
    return [
        check_entitlement(
            materialized, feature_id, usage_by_feature.get(feature_id, 0), now, 1, credit_balances
        )
        for feature_id in sorted(materialized.entries)
    ]
