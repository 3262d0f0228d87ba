"""A credit wallet's pure rules: which grants count at a moment, the order they are drawn in,
all-or-nothing consumes, expiry at the exact moment, and the stored-JSON balance reading.

Every expected draw and balance is worked out by hand beside the assertion.
"""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billfold.errors import ErrorCode, RuleViolation
from billfold.prepaid.models import Draw, Grant
from billfold.prepaid.wallet import (
    after_draws,
    balance,
    draws_for,
    expired,
    live_grants,
    next_expiry,
    spendable,
)

T0 = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)
TICK = timedelta(microseconds=1)


def _taken(draws: list[Draw]) -> list[tuple[str, int]]:
    return [(d.grant_id, d.amount) for d in draws]


def grant(
    grant_id: str,
    remaining: int,
    *,
    priority: int = 50,
    expires_at: datetime | None = None,
    granted_at: datetime = T0 - timedelta(days=1),
    amount: int | None = None,
) -> Grant:
    return Grant(
        id=grant_id,
        source="promotional",
        amount=remaining if amount is None else amount,
        remaining=remaining,
        priority=priority,
        expires_at=expires_at,
        granted_at=granted_at,
    )


def stored(grants: list[Grant]) -> list[dict[str, object]]:
    """The grants as the wallet item keeps them (JSON)."""
    return [g.model_dump(mode="json") for g in grants]


# --- draw order -------------------------------------------------------------------------------


def test_grants_are_drawn_by_priority_then_soonest_expiry_then_oldest_then_id() -> None:
    day = timedelta(days=1)
    grants = [
        grant("a-never", 10, granted_at=T0 - day),
        grant("late", 10, expires_at=T0 + 10 * day, granted_at=T0 - 2 * day),
        grant("soon", 10, expires_at=T0 + 5 * day, granted_at=T0 - day),
        grant("first", 10, priority=10, granted_at=T0 - day),  # never expires, but priority 10
        grant("oldest-never", 10, granted_at=T0 - 3 * day),
        grant("b-never", 10, granted_at=T0 - day),  # same moment as a-never: id decides
    ]

    order = [g.id for g in live_grants(grants, T0)]

    # priority 10 first; then among priority 50: expiring in 5 days, in 10 days, then the
    # never-expiring ones, oldest first (3 days ago), then a- before b- (same moment)
    assert order == ["first", "soon", "late", "oldest-never", "a-never", "b-never"]


def test_a_never_expiring_grant_comes_after_one_expiring_long_after_it_was_granted() -> None:
    grants = [
        grant("never", 5, granted_at=T0 - timedelta(days=400)),
        grant("in-a-year", 5, expires_at=T0 + timedelta(days=365), granted_at=T0),
    ]

    assert [g.id for g in live_grants(grants, T0)] == ["in-a-year", "never"]


def test_grants_expiring_together_are_drawn_oldest_first() -> None:
    expiry = T0 + timedelta(days=3)
    grants = [
        grant("newer", 5, expires_at=expiry, granted_at=T0 - timedelta(hours=1)),
        grant("older", 5, expires_at=expiry, granted_at=T0 - timedelta(hours=2)),
    ]

    assert [g.id for g in live_grants(grants, T0)] == ["older", "newer"]


def test_a_consume_takes_each_grant_in_draw_order_until_the_amount_is_met() -> None:
    grants = [
        grant("never", 100),
        grant("late", 30, expires_at=T0 + timedelta(days=30)),
        grant("soon", 20, expires_at=T0 + timedelta(days=10)),
        grant("first", 5, priority=10),
        grant("empty", 0, priority=0),  # nothing left: never drawn
    ]

    draws = draws_for(grants, 60, T0)

    # 5 from priority 10, then 20 expiring soon, 30 expiring later, 5 of the 100 never expiring
    assert _taken(draws) == [("first", 5), ("soon", 20), ("late", 30), ("never", 5)]
    assert (draws[0].priority, draws[1].expires_at) == (10, grants[2].expires_at)  # for refunds


# --- all or nothing ---------------------------------------------------------------------------


def test_a_consume_of_the_whole_balance_is_allowed_and_one_more_is_refused() -> None:
    grants = [grant("a", 40), grant("b", 20, expires_at=T0 + timedelta(days=1))]

    whole = draws_for(grants, 60, T0)  # 40 + 20
    with pytest.raises(RuleViolation) as refused:
        draws_for(grants, 61, T0)

    assert _taken(whole) == [("b", 20), ("a", 40)]
    assert (refused.value.code, refused.value.field) == (ErrorCode.INSUFFICIENT_CREDITS, "amount")


def test_an_empty_wallet_refuses_any_consume() -> None:
    with pytest.raises(RuleViolation) as refused:
        draws_for([], 1, T0)

    assert refused.value.code == ErrorCode.INSUFFICIENT_CREDITS


# --- expiry -----------------------------------------------------------------------------------


def test_a_grant_counts_until_just_before_its_expiry_and_not_at_it() -> None:
    expiry = T0 + timedelta(days=3)
    grants = [grant("expiring", 25, expires_at=expiry), grant("kept", 5)]

    assert balance(grants, expiry - TICK) == 30  # 25 + 5
    assert balance(grants, expiry) == 5  # the 25 stop counting at the moment itself
    assert [g.id for g in live_grants(grants, expiry)] == ["kept"]
    assert _taken(draws_for(grants, 30, expiry - TICK))[0] == ("expiring", 25)
    with pytest.raises(RuleViolation):
        draws_for(grants, 6, expiry)


def test_a_grant_is_written_off_from_its_expiry_moment_on() -> None:
    expiry = T0 + timedelta(days=3)
    grants = [
        grant("expiring", 25, expires_at=expiry),
        grant("used-up", 0, expires_at=T0 + timedelta(days=1)),  # nothing to write off
        grant("kept", 5),
    ]

    assert expired(grants, expiry - TICK) == []
    assert [g.id for g in expired(grants, expiry)] == ["expiring"]


def test_expired_grants_are_listed_by_expiry_moment() -> None:
    first, second = T0 + timedelta(days=1), T0 + timedelta(days=2)
    grants = [grant("second", 3, expires_at=second), grant("first", 4, expires_at=first)]

    assert [g.id for g in expired(grants, second)] == ["first", "second"]


# --- stored JSON ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (T0, 45),  # 10 + 25 + 10 (the empty grant adds 0)
        (T0 + timedelta(days=2) - TICK, 45),
        (T0 + timedelta(days=2), 20),  # the 25 expiring on day 2 stop counting
        (T0 + timedelta(days=5), 10),  # the 10 expiring on day 5 too
    ],
)
def test_spendable_on_stored_grants_equals_the_balance_of_the_models(
    moment: datetime, expected: int
) -> None:
    grants = [
        grant("never", 10),
        grant("day-2", 25, expires_at=T0 + timedelta(days=2)),
        grant("day-5", 10, expires_at=T0 + timedelta(days=5)),
        grant("empty", 0, expires_at=T0 + timedelta(days=9)),
    ]

    assert balance(grants, moment) == expected
    assert spendable(stored(grants), moment) == expected


# --- after_draws and next_expiry --------------------------------------------------------------


def test_after_draws_takes_each_draw_from_its_grant_and_gives_back_a_negative_one() -> None:
    grants = [grant("a", 10, amount=10), grant("b", 3, amount=8), grant("c", 7)]

    after = after_draws(grants, [Draw(grant_id="a", amount=4), Draw(grant_id="b", amount=-2)])

    # a: 10 - 4 = 6; b: 3 - (-2) = 5; c untouched
    assert [(g.id, g.remaining) for g in after] == [("a", 6), ("b", 5), ("c", 7)]
    assert after[2] is grants[2]
    assert [g.remaining for g in grants] == [10, 3, 7]  # the originals are not changed
    assert [g.amount for g in after] == [10, 8, 7]


def test_next_expiry_is_the_soonest_expiry_of_a_grant_with_credits_left() -> None:
    grants = [
        grant("used-up", 0, expires_at=T0 + timedelta(days=1)),  # nothing left: ignored
        grant("later", 5, expires_at=T0 + timedelta(days=9)),
        grant("sooner", 5, expires_at=T0 + timedelta(days=4)),
        grant("never", 5),
    ]

    assert next_expiry(grants) == T0 + timedelta(days=4)
    assert next_expiry([grant("never", 5), grant("used-up", 0, expires_at=T0)]) is None
    assert next_expiry([]) is None


# --- property ---------------------------------------------------------------------------------

_grant_terms = st.tuples(
    st.sampled_from([0, 10, 50, 90]),  # priority
    st.integers(min_value=0, max_value=50),  # remaining
    st.one_of(st.none(), st.integers(min_value=-48, max_value=48)),  # expiry, hours from now
    st.integers(min_value=0, max_value=100),  # granted, hours before now
)


@given(terms=st.lists(_grant_terms, max_size=8), amount=st.integers(min_value=1, max_value=250))
def test_draws_never_overdraw_a_grant_and_add_up_to_the_amount(
    terms: list[tuple[int, int, int | None, int]], amount: int
) -> None:
    grants = [
        grant(
            f"g{index}",
            remaining,
            priority=priority,
            expires_at=None if expiry is None else T0 + timedelta(hours=expiry),
            granted_at=T0 - timedelta(hours=granted),
        )
        for index, (priority, remaining, expiry, granted) in enumerate(terms)
    ]
    live = {
        g.id: g for g in grants if g.remaining > 0 and (g.expires_at is None or g.expires_at > T0)
    }
    before = sum(g.remaining for g in live.values())
    assert balance(grants, T0) == before
    assert spendable(stored(grants), T0) == before

    if amount > before:
        with pytest.raises(RuleViolation) as refused:
            draws_for(grants, amount, T0)
        assert refused.value.code == ErrorCode.INSUFFICIENT_CREDITS
        return

    draws = draws_for(grants, amount, T0)

    assert sum(d.amount for d in draws) == amount
    assert len({d.grant_id for d in draws}) == len(draws)
    for draw in draws:
        assert draw.grant_id in live  # only grants that count at T0
        assert 0 < draw.amount <= live[draw.grant_id].remaining
    # every grant drawn before the last one is emptied (draw order is followed)
    assert all(d.amount == live[d.grant_id].remaining for d in draws[:-1])
    assert balance(after_draws(grants, draws), T0) == before - amount
