"""A customer's holding of one credit type, as pure rules: which grants count at a moment, in
which order they are drawn, and what a consume or an expiry takes from each.

A grant counts until the moment it expires (exclusive). Draw order: lower priority number
first, then the soonest expiry (never-expiring last), then the oldest grant, then its id.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from billfold.errors import ErrorCode, RuleViolation
from billfold.prepaid.models import Draw, Grant


def _counts(grant: Grant, now: datetime) -> bool:
    return grant.remaining > 0 and (grant.expires_at is None or now < grant.expires_at)


def _draw_order(grant: Grant) -> tuple[int, int, datetime, datetime, str]:
    expiry = grant.expires_at or grant.granted_at
    return (grant.priority, grant.expires_at is None, expiry, grant.granted_at, grant.id)


def live_grants(grants: Sequence[Grant], now: datetime) -> list[Grant]:
    """The grants with credits left at `now`, in draw order."""
    return sorted((g for g in grants if _counts(g, now)), key=_draw_order)


def balance(grants: Sequence[Grant], now: datetime) -> int:
    """The credits that may be drawn at `now`."""
    return sum(g.remaining for g in grants if _counts(g, now))


def expired(grants: Sequence[Grant], now: datetime) -> list[Grant]:
    """The grants that expired by `now` with credits left: each becomes an `expire` entry."""
    return sorted(
        (g for g in grants if g.remaining > 0 and g.expires_at is not None and g.expires_at <= now),
        key=lambda g: (g.expires_at, g.id),
    )


def draws_for(grants: Sequence[Grant], amount: int, now: datetime) -> list[Draw]:
    """What consuming `amount` takes from each grant, in draw order; refused (422) when the
    balance at `now` is short (all or nothing)."""
    available = balance(grants, now)
    if amount > available:
        raise RuleViolation(
            f"{amount} credits are more than the balance of {available}",
            field="amount",
            code=ErrorCode.INSUFFICIENT_CREDITS,
        )
    draws, left = [], amount
    for grant in live_grants(grants, now):
        if left == 0:
            break
        taken = min(left, grant.remaining)
        terms = {"priority": grant.priority, "expires_at": grant.expires_at}
        draws.append(Draw(grant_id=grant.id, amount=taken, **terms))
        left -= taken
    return draws


def after_draws(grants: Sequence[Grant], draws: Sequence[Draw]) -> list[Grant]:
    """The grants with each draw taken from its grant (a negative draw gives credits back)."""
    taken = {draw.grant_id: draw.amount for draw in draws}
    return [
        g.model_copy(update={"remaining": g.remaining - taken[g.id]}) if g.id in taken else g
        for g in grants
    ]


def spendable(stored_grants: Sequence[Mapping[str, Any]], now: datetime) -> int:
    """The balance of a wallet's grants as stored (JSON), at `now`: the entitlement check's
    reading, without building a model per grant."""
    total = 0
    for grant in stored_grants:
        expires = grant.get("expires_at")
        if expires is None or now < datetime.fromisoformat(expires):
            total += max(int(grant["remaining"]), 0)
    return total


def next_expiry(grants: Sequence[Grant]) -> datetime | None:
    """The soonest moment a grant with credits left expires."""
    moments = [g.expires_at for g in grants if g.remaining > 0 and g.expires_at is not None]
    return min(moments, default=None)
