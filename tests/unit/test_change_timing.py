"""Every cell of the change-timing matrix (billfold/subscriptions/timing.py), and the
classification of changes into kinds."""

import pytest

from billfold.subscriptions.timing import ChangeKind, kind_of, timing

K = ChangeKind
MATRIX = {
    # kind: (in a trial, downgradeTiming period_end, downgradeTiming immediate)
    K.UPGRADE: ("now", "now", "now"),
    K.SAME_COST: ("now", "now", "now"),
    K.DOWNGRADE: ("now", "period_end", "now"),
    K.TO_ANNUAL: ("now", "now", "now"),
    K.TO_MONTHLY: ("now", "period_end", "period_end"),
    K.NO_CHANGE: ("nothing", "nothing", "nothing"),
}


@pytest.mark.parametrize("kind", list(ChangeKind))
@pytest.mark.parametrize("plan_says", ["period_end", "immediate"])
def test_every_cell_of_the_matrix(kind: ChangeKind, plan_says: str) -> None:
    in_trial, at_period_end, immediate = MATRIX[kind]

    assert timing(kind, trialing=True, downgrade_timing=plan_says) == in_trial  # type: ignore[arg-type]
    expected = immediate if plan_says == "immediate" else at_period_end
    assert timing(kind, trialing=False, downgrade_timing=plan_says) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("trialing", [True, False])
def test_no_change_that_drops_a_scheduled_change_or_swaps_the_coupon_is_written_now(
    trialing: bool,
) -> None:
    assert (
        timing(K.NO_CHANGE, trialing=trialing, downgrade_timing="period_end", changes_the_rest=True)
        == "now"
    )


def test_every_kind_has_its_row() -> None:
    assert set(MATRIX) == set(ChangeKind)


@pytest.mark.parametrize(
    ("period", "target_period", "total", "target_total", "kind"),
    [
        ("monthly", "monthly", 1900, 4900, K.UPGRADE),
        ("monthly", "monthly", 4900, 4900, K.SAME_COST),
        ("monthly", "monthly", 4900, 1900, K.DOWNGRADE),
        ("monthly", "annual", 4900, 19000, K.TO_ANNUAL),
        ("monthly", "annual", 4900, 100, K.TO_ANNUAL),
        ("annual", "monthly", 49000, 4900, K.TO_MONTHLY),
        ("annual", "monthly", 100, 4900, K.TO_MONTHLY),
    ],
)
def test_changes_are_classified_by_period_then_cost(
    period: str, target_period: str, total: int, target_total: int, kind: ChangeKind
) -> None:
    found = kind_of(
        same_terms=False,
        period=period,  # type: ignore[arg-type]
        target_period=target_period,  # type: ignore[arg-type]
        period_total=total,
        target_period_total=target_total,
    )

    assert found is kind


def test_the_same_terms_are_no_change_whatever_the_totals() -> None:
    found = kind_of(
        same_terms=True,
        period="monthly",
        target_period="annual",
        period_total=1,
        target_period_total=2,
    )

    assert found is K.NO_CHANGE
