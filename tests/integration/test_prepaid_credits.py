"""Prepaid credits against the real DynamoDB API (moto server): draw order, an append-only ledger
that adds up, racing consumes that never overdraw, retries that count once, expiry by the clock,
and one event per ledger entry written with it."""

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from billfold.catalog.credit_types import CreditTypeCreate, create_credit_type
from billfold.clock import FixedClock
from billfold.customers.models import CustomerCreate
from billfold.customers.service import create_customer
from billfold.errors import ErrorCode, InvalidInput, NotFound, RuleViolation
from billfold.payments.stripe_customers import StripeCustomers
from billfold.prepaid.ledger import balance_at, expire_due, ledger_page
from billfold.prepaid.models import ConsumeCredits, GrantCreate
from billfold.prepaid.service import (
    consume_credits,
    credit_balance,
    grant_credits,
    refund_consume,
    void_grant,
)
from billfold.storage import keys
from billfold.storage.table import Table

T0 = datetime(2031, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
def credit_type(table: Table, uid: str) -> str:
    request = CreditTypeCreate.model_validate(
        {
            "id": f"ai-{uid}",
            "name": "AI credits",
            "unit": {"singular": "credit", "plural": "credits"},
        }
    )
    return create_credit_type(table, request, FixedClock(T0)).id


@pytest.fixture
def customer(table: Table, stripe_customers: StripeCustomers, uid: str) -> str:
    request = CustomerCreate(id=f"credits-{uid}", email="c@example.com", name="Credits")
    return create_customer(table, stripe_customers, request, FixedClock(T0)).id


def _grant(table: Table, customer: str, credit_type: str, amount: int, at: datetime, **terms):
    key = f"g-{amount}-{at.isoformat()}"
    request = GrantCreate.model_validate(
        {"creditTypeId": credit_type, "amount": amount, "idempotencyKey": key} | terms
    )
    return grant_credits(table, customer, request, FixedClock(at))


def _consume(table: Table, customer: str, credit_type: str, amount: int, key: str, at: datetime):
    request = ConsumeCredits(amount=amount, idempotency_key=key)
    return consume_credits(table, customer, credit_type, request, FixedClock(at))


def test_consumes_draw_by_priority_then_soonest_expiry_then_oldest(
    table: Table, customer: str, credit_type: str
) -> None:
    later = T0 + timedelta(days=30)
    soon = T0 + timedelta(days=10)
    never = _grant(table, customer, credit_type, 100, T0)  # priority 50, never expires
    expiring_late = _grant(table, customer, credit_type, 30, T0, expiresAt=later.isoformat())
    expiring_soon = _grant(table, customer, credit_type, 20, T0, expiresAt=soon.isoformat())
    first = _grant(table, customer, credit_type, 5, T0 + timedelta(hours=1), priority=10)

    entry = _consume(table, customer, credit_type, 60, "c1", T0 + timedelta(hours=2))

    grant_ids = [g.draws[0].grant_id for g in (first, expiring_soon, expiring_late, never)]
    # 5 from the priority-10 grant, then 20 expiring soon, 30 expiring later, 5 never expiring
    expected = list(zip(grant_ids, [5, 20, 30, 5], strict=True))
    assert [(d.grant_id, d.amount) for d in entry.draws] == expected
    assert (entry.kind, entry.amount, entry.balance_after) == ("consume", -60, 95)


def test_the_ledger_is_append_only_and_adds_up_to_the_balance(
    table: Table, customer: str, credit_type: str
) -> None:
    _grant(table, customer, credit_type, 50, T0)
    _consume(table, customer, credit_type, 8, "a", T0 + timedelta(minutes=1))
    _consume(table, customer, credit_type, 2, "b", T0 + timedelta(minutes=2))

    entries, _ = ledger_page(table, customer, credit_type, limit=10, cursor=None)

    assert [(e.kind, e.amount, e.balance_after) for e in entries] == [
        ("consume", -2, 40),
        ("consume", -8, 42),
        ("grant", 50, 50),
    ]
    now = credit_balance(table, customer, credit_type, FixedClock(T0 + timedelta(hours=1)), None)
    assert now.balance == sum(e.amount for e in entries) == 40


def test_twenty_racing_consumes_take_exactly_what_the_balance_affords(
    table: Table, customer: str, credit_type: str
) -> None:
    _grant(table, customer, credit_type, 100, T0)
    at = T0 + timedelta(minutes=5)

    def attempt(n: int) -> ErrorCode | None:
        try:
            _consume(table, customer, credit_type, 7, f"race-{n}", at)
        except RuleViolation as refused:
            return refused.code
        return None

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(attempt, range(20)))

    assert outcomes.count(None) == 14  # 14 x 7 = 98 <= 100 < 105
    assert outcomes.count(ErrorCode.INSUFFICIENT_CREDITS) == 6
    balance = credit_balance(table, customer, credit_type, FixedClock(at), None)
    assert balance.balance == 2
    entries, _ = ledger_page(table, customer, credit_type, limit=50, cursor=None)
    assert sum(1 for e in entries if e.kind == "consume") == 14


def test_a_retried_consume_counts_once_and_a_reused_key_is_refused(
    table: Table, customer: str, credit_type: str
) -> None:
    _grant(table, customer, credit_type, 10, T0)
    first = _consume(table, customer, credit_type, 6, "same", T0 + timedelta(minutes=1))
    again = _consume(table, customer, credit_type, 6, "same", T0 + timedelta(minutes=2))

    assert again == first  # the balance (4) could not pay 6 again: the replay answers
    with pytest.raises(InvalidInput) as reused:
        _consume(table, customer, credit_type, 1, "same", T0 + timedelta(minutes=3))
    assert reused.value.code == ErrorCode.IDEMPOTENCY_KEY_REUSED
    balance = credit_balance(
        table, customer, credit_type, FixedClock(T0 + timedelta(hours=1)), None
    )
    assert balance.balance == 4


def test_a_short_balance_refuses_the_whole_consume(
    table: Table, customer: str, credit_type: str
) -> None:
    _grant(table, customer, credit_type, 10, T0)

    with pytest.raises(RuleViolation) as refused:
        _consume(table, customer, credit_type, 11, "too-much", T0 + timedelta(minutes=1))

    assert (refused.value.code, refused.value.field) == (ErrorCode.INSUFFICIENT_CREDITS, "amount")
    entries, _ = ledger_page(table, customer, credit_type, limit=10, cursor=None)
    assert [e.kind for e in entries] == ["grant"]


def test_a_grant_stops_counting_when_it_expires_and_is_written_off_at_its_moment(
    table: Table, customer: str, credit_type: str
) -> None:
    expiry = T0 + timedelta(days=3)
    _grant(table, customer, credit_type, 40, T0, expiresAt=expiry.isoformat())
    _grant(table, customer, credit_type, 5, T0 + timedelta(seconds=1))
    _consume(table, customer, credit_type, 15, "before", T0 + timedelta(days=1))

    after = FixedClock(expiry + timedelta(hours=1))
    assert credit_balance(table, customer, credit_type, after, None).balance == 5
    assert balance_at(table, customer, credit_type, expiry + timedelta(minutes=1)) == 5
    assert balance_at(table, customer, credit_type, expiry - timedelta(minutes=1)) == 30

    assert expire_due(table, customer, expiry + timedelta(hours=1)) == 1
    assert expire_due(table, customer, expiry + timedelta(hours=2)) == 0  # written once
    entries, _ = ledger_page(table, customer, credit_type, limit=10, cursor=None)
    expired = entries[0]
    assert (expired.kind, expired.amount, expired.balance_after) == ("expire", -25, 5)
    assert expired.created_at == expiry
    wallet = table.get(keys.credit_wallet(customer, credit_type), consistent=True)
    assert wallet is not None
    assert "gsi2pk" not in wallet  # nothing left to expire: out of the due-work index


def test_every_ledger_entry_is_published_as_an_event_with_its_write(
    table: Table, customer: str, credit_type: str
) -> None:
    _grant(table, customer, credit_type, 9, T0)
    _consume(table, customer, credit_type, 4, "evt", T0 + timedelta(minutes=1))
    with pytest.raises(RuleViolation):
        _consume(table, customer, credit_type, 99, "refused", T0 + timedelta(minutes=2))

    page = table.query(keys.events_partition(customer), sort_key_prefix=keys.EVENT_PREFIX, limit=50)
    bodies = [json.loads(item["body"]) for item in page.items]
    credit_events = [b for b in bodies if b["type"] == "credits.balance_changed"]
    assert [(b["data"]["kind"], b["data"]["balanceAfter"]) for b in credit_events] == [
        ("grant", 9),
        ("consume", 5),
    ]


def test_a_voided_grant_gives_up_what_is_left_once(
    table: Table, customer: str, credit_type: str
) -> None:
    kept = _grant(table, customer, credit_type, 10, T0)
    voided = _grant(table, customer, credit_type, 25, T0 + timedelta(seconds=1))
    grant_id = voided.draws[0].grant_id
    at = FixedClock(T0 + timedelta(minutes=1))

    entry = void_grant(table, customer, credit_type, grant_id, at)
    again = void_grant(table, customer, credit_type, grant_id, at)

    assert (entry.kind, entry.amount, entry.balance_after) == ("void", -25, 10)
    assert again == entry
    assert credit_balance(table, customer, credit_type, at, None).balance == 10
    assert kept.draws[0].grant_id != grant_id


def test_a_refunded_consume_gives_its_credits_back_to_the_grants_it_drew_once(
    table: Table, customer: str, credit_type: str
) -> None:
    _grant(table, customer, credit_type, 10, T0, priority=1)
    _grant(table, customer, credit_type, 10, T0 + timedelta(seconds=1))
    used = _consume(table, customer, credit_type, 15, "used", T0 + timedelta(minutes=1))
    at = FixedClock(T0 + timedelta(minutes=2))

    refund = refund_consume(table, customer, credit_type, used.id, at)
    again = refund_consume(table, customer, credit_type, used.id, at)

    assert (refund.kind, refund.amount, refund.balance_after) == ("refund", 15, 20)
    # 10 back as a new grant (the first was used up and is gone), 5 back to the second
    assert sorted(d.amount for d in refund.draws) == [-10, -5]
    assert again == refund
    with pytest.raises(NotFound):
        refund_consume(table, customer, credit_type, refund.id, at)  # only consumes refund


def test_a_refund_and_a_void_are_remembered_for_good(
    table: Table, customer: str, credit_type: str
) -> None:
    _grant(table, customer, credit_type, 10, T0)
    used = _consume(table, customer, credit_type, 4, "kept", T0 + timedelta(minutes=1))
    at = FixedClock(T0 + timedelta(minutes=2))
    refund_consume(table, customer, credit_type, used.id, at)

    page = table.query(keys.customer_partition(customer), sort_key_prefix="CREDITKEY#", limit=50)
    lifetimes = {item.get("entry", {}).get("kind"): "expiresAt" in item for item in page.items}

    # a caller's keys expire after 7 days; a refund's record never does (no second refund)
    assert lifetimes == {"grant": True, "consume": True, "refund": False}


def test_a_refund_gives_a_used_up_grant_its_terms_back_and_skips_an_expired_one(
    table: Table, customer: str, credit_type: str
) -> None:
    expiry = T0 + timedelta(days=1)
    _grant(table, customer, credit_type, 5, T0, priority=7)  # used up, never expires
    _grant(table, customer, credit_type, 5, T0 + timedelta(seconds=1), expiresAt=expiry.isoformat())
    _grant(table, customer, credit_type, 50, T0 + timedelta(seconds=2))
    used = _consume(table, customer, credit_type, 8, "spread", T0 + timedelta(minutes=1))
    # drawn: 5 from the priority-7 grant, then 3 from the one expiring tomorrow
    assert [(d.amount, d.priority) for d in used.draws] == [(5, 7), (3, 50)]

    later = FixedClock(expiry + timedelta(hours=1))
    refund = refund_consume(table, customer, credit_type, used.id, later)

    assert (refund.amount, refund.balance_after) == (5, 55)  # the expired grant's 3 stay expired
    balance = credit_balance(table, customer, credit_type, later, None)
    regrant = next(g for g in balance.grants if g.source == "refund")
    assert (regrant.amount, regrant.priority, regrant.expires_at) == (5, 7, None)


def test_more_grants_expiring_at_once_than_a_transaction_holds_are_all_written_off(
    table: Table, customer: str, credit_type: str
) -> None:
    expiry = T0 + timedelta(hours=1)
    for n in range(25):  # 25 x (entry + event) writes: more than one transaction takes
        _grant(
            table, customer, credit_type, 1, T0 + timedelta(seconds=n), expiresAt=expiry.isoformat()
        )
    _grant(table, customer, credit_type, 3, T0 + timedelta(minutes=5))

    used = _consume(table, customer, credit_type, 2, "after", expiry + timedelta(minutes=1))
    written = expire_due(table, customer, expiry + timedelta(minutes=2))

    assert used.balance_after == 1
    entries, _ = ledger_page(table, customer, credit_type, limit=100, cursor=None)
    assert sum(1 for e in entries if e.kind == "expire") == 25
    assert written == 5  # the consume wrote off 20, the billing run the other 5
