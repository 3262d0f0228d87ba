"""A plan's credit allowances: at the start of each billing period the billing run grants every
allowance of the subscription's plan version, once (keyed by the subscription and period).

A plain allowance expires when its period ends. One with a `rolloverCap` does not expire: at
the next period what is left of the earlier allowances is cut down to the cap (an `expire`
entry for the rest) before the new allowance is granted.
"""

from datetime import datetime

from billfold.catalog.models import CreditAllowance
from billfold.catalog.plans import plan_store
from billfold.errors import NotFound, RuleViolation
from billfold.prepaid import ledger
from billfold.prepaid.models import RECURRING_PRIORITY, Draw, EntryKind, Grant
from billfold.prepaid.service import add_grant, new_grant
from billfold.prepaid.wallet import after_draws
from billfold.storage.table import Table
from billfold.subscriptions.models import Subscription
from billfold.subscriptions.reads import stored_subscription

_GRANTING = ("trialing", "active", "past_due")


def _capped(grants: list[Grant], cap: int, now: datetime) -> list[Draw]:
    """What to take from earlier recurring grants so that at most `cap` of them is left."""
    rolled = [g for g in grants if g.source == "recurring" and g.remaining > 0]
    excess = sum(g.remaining for g in rolled) - cap
    draws = []
    for grant in sorted(rolled, key=lambda g: (g.granted_at, g.id)):
        if excess <= 0:
            break
        taken = min(excess, grant.remaining)
        draws.append(Draw(grant_id=grant.id, amount=taken))
        excess -= taken
    return draws


def _roll_over(
    table: Table, subscription: Subscription, allowance: CreditAllowance, now: datetime
) -> None:
    """Cut what is left of earlier allowances down to the rollover cap, once per period."""
    cap = allowance.rollover_cap or 0

    def plan(grants: list[Grant], at: datetime) -> tuple[EntryKind, list[Draw], list[Grant], str]:
        draws = _capped(grants, cap, at)
        if not draws:  # within the cap: no entry (refusing the move abandons it)
            raise RuleViolation("nothing to roll over")
        return "expire", draws, after_draws(grants, draws), "rollover cap"

    period = subscription.current_period_start.isoformat()
    try:
        ledger.move(
            table,
            subscription.customer_id,
            allowance.credit_type_id,
            plan,
            now,
            idempotency_key=f"rollover:{subscription.id}:{period}",
            fingerprint="rollover",
            once_ever=True,
        )
    except RuleViolation:
        return


def grant_allowances(table: Table, customer_id: str, now: datetime) -> int:
    """Grant the current period's allowances of the customer's plan; how many were new."""
    try:
        subscription = stored_subscription(table, customer_id)
    except NotFound:
        return 0
    if subscription.status not in _GRANTING or subscription.current_period_start > now:
        return 0
    plan = plan_store(table).version(subscription.plan_id, subscription.plan_version)
    granted = 0
    period = subscription.current_period_start.isoformat()
    for allowance in plan.credit_allowances:
        rolls = allowance.rollover_cap is not None
        if rolls:
            _roll_over(table, subscription, allowance, now)
        expires = None if rolls else subscription.current_period_end
        grant = new_grant("recurring", allowance.amount, now, RECURRING_PRIORITY, expires)
        entry = add_grant(
            table,
            customer_id,
            allowance.credit_type_id,
            grant,
            now,
            idempotency_key=f"allowance:{subscription.id}:{period}",
            fingerprint="allowance",
            once_ever=True,
            reference=f"plan:{plan.id}@{plan.version}",
        )
        if entry.draws[0].grant_id == grant.id:  # not a replay of the period's grant
            granted += 1
    return granted
