"""When a subscription change applies: the pure rules, apart from the reads and writes.

A change is first classified (`kind_of`), then timed (`timing`) by the kind, whether the
subscription is in its trial, and the current plan's `downgradeTiming`:

| kind         | in a trial | downgradeTiming period_end | downgradeTiming immediate |
| ------------ | ---------- | -------------------------- | ------------------------- |
| upgrade      | now        | now (prorated)             | now (prorated)            |
| same cost    | now        | now (prorated)             | now (prorated)            |
| downgrade    | now        | period_end                 | now (credit)              |
| to annual    | now        | now (new cycle)            | now (new cycle)           |
| to monthly   | now        | period_end                 | period_end                |
| no change    | nothing, or now when it drops a scheduled change or applies another coupon |

Add-ons are part of the period total: adding or raising one is an upgrade, removing or
lowering one a downgrade.
"""

from enum import StrEnum

from billfold.catalog.terms import BillingPeriod, DowngradeTiming
from billfold.subscriptions.models import ChangeTiming


class ChangeKind(StrEnum):
    """What a change does to what the subscription costs and how it is billed."""

    UPGRADE = "upgrade"
    SAME_COST = "same_cost"
    DOWNGRADE = "downgrade"
    TO_ANNUAL = "to_annual"
    TO_MONTHLY = "to_monthly"
    NO_CHANGE = "no_change"


def kind_of(
    *,
    same_terms: bool,
    period: BillingPeriod,
    target_period: BillingPeriod,
    period_total: int,
    target_period_total: int,
) -> ChangeKind:
    """The kind of a change from the subscription's terms to the target's."""
    if same_terms:
        return ChangeKind.NO_CHANGE
    if period != target_period:
        return ChangeKind.TO_ANNUAL if target_period == "annual" else ChangeKind.TO_MONTHLY
    if target_period_total > period_total:
        return ChangeKind.UPGRADE
    if target_period_total == period_total:
        return ChangeKind.SAME_COST
    return ChangeKind.DOWNGRADE


def timing(
    kind: ChangeKind,
    *,
    trialing: bool,
    downgrade_timing: DowngradeTiming,
    changes_the_rest: bool = False,
) -> ChangeTiming:
    """When a change of `kind` applies. `changes_the_rest`: a change of no kind still drops a
    scheduled change or applies another coupon (so it is written now)."""
    if kind is ChangeKind.NO_CHANGE:
        return "now" if changes_the_rest else "nothing"
    if trialing or kind in (ChangeKind.UPGRADE, ChangeKind.SAME_COST, ChangeKind.TO_ANNUAL):
        return "now"
    if kind is ChangeKind.DOWNGRADE and downgrade_timing == "immediate":
        return "now"
    return "period_end"
