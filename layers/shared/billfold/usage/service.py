"""Usage against entitlements: reports, consume-if-allowed and history, each read from the
customer's materialized entitlements (which decide the counter's period and limit)."""

import hashlib

from billfold.billing.periods import Period
from billfold.clock import Clock, sortable_timestamp
from billfold.entitlements.check import current_usage_period
from billfold.entitlements.materialized import parse
from billfold.entitlements.models import ResolvedEntitlement
from billfold.errors import ErrorCode, InvalidInput, NotFound, RuleViolation
from billfold.spending.cost import over_limit
from billfold.storage.table import Table
from billfold.usage.counters import (
    add_usage,
    consume,
    history_cursor,
    read_check_state,
    set_usage,
    usage_history,
    usage_in_periods,
)
from billfold.usage.models import Counter, UsagePeriod, UsageResult
from billfold.usage.requests import ConsumeRequest, UsageReport


def _metered(
    table: Table, customer_id: str, feature_id: str, clock: Clock, requested: int = 0
) -> tuple[ResolvedEntitlement, Period | None, Counter | None]:
    """The customer's entitlement to a metered feature, its current period and counter; 422
    `spend_limit_reached` when `requested` more would take overage past the spend limit."""
    state = read_check_state(table, customer_id)
    materialized = parse(state.entitlements) if state.entitlements else None
    counters = state.counters
    if materialized is None:
        raise NotFound(
            f"customer '{customer_id}' does not exist", code=ErrorCode.CUSTOMER_NOT_FOUND
        )
    if not materialized.has_subscription or materialized.subscription_status == "canceled":
        raise RuleViolation(
            f"customer '{customer_id}' has no live subscription", code=ErrorCode.NO_SUBSCRIPTION
        )
    entry = materialized.entries.get(feature_id)
    if entry is None:
        raise RuleViolation(
            f"customer '{customer_id}' is not entitled to '{feature_id}'",
            field="featureId",
            code=ErrorCode.FEATURE_NOT_IN_PLAN,
        )
    if entry.feature_type != "metered":
        raise InvalidInput(
            f"feature '{feature_id}' is {entry.feature_type}, not metered: it has no usage",
            field="featureId",
            code=ErrorCode.FEATURE_NOT_METERED,
        )
    now = clock.now()
    usage = usage_in_periods(materialized, counters, now)
    if requested and over_limit(
        materialized, usage, state.wallets, state.spend_limit, feature_id, requested, now
    ):
        raise RuleViolation(
            f"using {requested} more of '{feature_id}' would take overage past the spend limit",
            code=ErrorCode.SPEND_LIMIT_REACHED,
        )
    period = current_usage_period(entry, materialized.subscription_anchor, now)
    return entry, period, counters.get(feature_id)


def _draw_credits(
    table: Table,
    customer_id: str,
    entry: ResolvedEntitlement,
    units: int,
    idempotency_key: str,
    clock: Clock,
) -> None:
    """For a feature that draws prepaid credits, draw `units` x its cost, all or nothing (422
    `insufficient_credits`), once per idempotency key; the usage is counted after, under the
    same key, so a retry after a failure in between completes both and draws nothing twice."""
    if entry.credits is None or units == 0:
        return
    from billfold.prepaid.models import ConsumeCredits
    from billfold.prepaid.service import consume_credits

    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    request = ConsumeCredits(
        amount=units * entry.credits.per_unit,
        reference=f"feature:{entry.feature_id}",
        idempotency_key=f"usage:{entry.feature_id}:{digest}",
    )
    consume_credits(table, customer_id, entry.credits.credit_type_id, request, clock)


def report_usage(table: Table, report: UsageReport, clock: Clock) -> UsageResult:
    """Count a usage report exactly once (by its idempotency key), in the current period; a
    feature that draws credits draws them first."""
    entry, period, _ = _metered(table, report.customer_id, report.feature_id, clock)
    if entry.credits is not None:
        if report.mode == "set":
            raise InvalidInput(
                f"feature '{report.feature_id}' draws credits: report what was used (delta)",
                field="mode",
            )
        _draw_credits(table, report.customer_id, entry, report.value, report.idempotency_key, clock)
    write = add_usage if report.mode == "delta" else set_usage
    return write(
        table,
        report.customer_id,
        report.feature_id,
        period,
        report.value,
        report.idempotency_key,
        clock.now(),
    )


def consume_usage(
    table: Table, customer_id: str, feature_id: str, request: ConsumeRequest, clock: Clock
) -> UsageResult:
    """Use `amount` more only if a hard limit allows it (422 `limit_exceeded`, nothing counted).

    Soft and unlimited entitlements always allow it; soft overage is counted for billing. A
    feature that draws credits (never hard-limited) uses it only if the balance pays for it.
    """
    entry, period, _ = _metered(table, customer_id, feature_id, clock, request.amount)
    _draw_credits(table, customer_id, entry, request.amount, request.idempotency_key, clock)
    hard_limit = None if entry.unlimited or entry.enforcement == "soft" else entry.limit
    return consume(
        table,
        customer_id,
        feature_id,
        period,
        request.amount,
        hard_limit,
        request.idempotency_key,
        clock.now(),
    )


def feature_usage_history(
    table: Table, customer_id: str, feature_id: str, clock: Clock, limit: int, cursor: str | None
) -> tuple[list[UsagePeriod], str | None]:
    """Usage per period, newest first, at most `limit` a page: the first page opens with the
    current period, then the period that closed since the last report (if any: the live counter
    still holds it), then the recorded closed periods."""
    _, period, counter = _metered(table, customer_id, feature_id, clock)
    if cursor is not None:
        closed, next_cursor = usage_history(table, customer_id, feature_id, limit, cursor)
        return [UsagePeriod.of(c) for c in closed], next_cursor
    used = counter.used_in(period) if counter else 0
    opening = [UsagePeriod.current(feature_id, period, used)]
    if period is None:
        return opening, None
    newest_listed = sortable_timestamp(period.start)
    if counter is not None and counter.used_in(period) != counter.used:
        opening.append(UsagePeriod.of(counter))
        newest_listed = counter.period_start
    room = limit - len(opening)
    if room <= 0:
        return opening[:limit], history_cursor(customer_id, feature_id, newest_listed)
    closed, next_cursor = usage_history(table, customer_id, feature_id, room, None)
    return opening + [UsagePeriod.of(c) for c in closed], next_cursor
