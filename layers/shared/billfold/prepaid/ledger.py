"""The one module that reads and writes prepaid credit wallets and their ledger.

Every move is one transaction: the ledger entries (append-only), the wallet (conditional on
the revision read, so two moves can never both win), one `credits.balance_changed` event per
entry, and, for a grant or consume, the record of its idempotency key (conditional on being
new, so a retry moves nothing and answers with the entry it made). Grants that expired by the
moment of a move are expired in the same transaction, dated when they expired.
"""

import hashlib
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from billfold.clock import sortable_timestamp
from billfold.errors import NotFound, RuleViolation, changed_concurrently, idempotency_key_reused
from billfold.outbox import EventType, event_put
from billfold.prepaid import wallet
from billfold.prepaid.models import (
    AutoRecharge,
    CreditBalance,
    Draw,
    EntryKind,
    Grant,
    LedgerEntry,
)
from billfold.retries import attempts
from billfold.storage import keys
from billfold.storage.due_work import due_work_entry
from billfold.storage.schema import TTL_ATTRIBUTE
from billfold.storage.table import (
    ITEM_IS_NEW,
    Condition,
    ConditionFailed,
    Item,
    Put,
    Table,
    Update,
)

REQUEST_MEMORY = timedelta(days=7)
"""How long an idempotency key is remembered after its grant or consume."""
_ATTEMPTS = 25
"""Racing moves of one wallet each retry until they win (or the balance runs out)."""
EXPIRIES_PER_WRITE = 20
"""Expired grants written off per transaction: two writes each (entry and event)."""


class Wallet:
    """A customer's grants of one credit type, and the revision they were read at (0: none)."""

    def __init__(self, customer_id: str, credit_type_id: str, item: Item | None) -> None:
        self.customer_id = customer_id
        self.credit_type_id = credit_type_id
        self.exists = item is not None
        self.revision = int(item["revision"]) if item else 0
        self.grants = [Grant.model_validate(g) for g in item["grants"]] if item else []
        stored = item.get("auto_recharge") if item else None
        self.auto_recharge = AutoRecharge.model_validate(stored) if stored else None

    def balance(self, now: datetime) -> CreditBalance:
        """The balance at `now` with its grants in draw order."""
        return CreditBalance(
            customer_id=self.customer_id,
            credit_type_id=self.credit_type_id,
            balance=wallet.balance(self.grants, now),
            grants=wallet.live_grants(self.grants, now),
            auto_recharge=self.auto_recharge,
            as_of=now,
        )


def read_wallet(table: Table, customer_id: str, credit_type_id: str) -> Wallet:
    """The wallet as it stands (consistent: a move plans on it)."""
    item = table.get(keys.credit_wallet(customer_id, credit_type_id), consistent=True)
    return Wallet(customer_id, credit_type_id, item)


def wallets(table: Table, customer_id: str) -> list[Wallet]:
    """Every wallet of the customer, by credit type."""
    page = table.query(
        keys.customer_partition(customer_id),
        sort_key_prefix=keys.CREDIT_WALLET_PREFIX,
        limit=100,
        consistent=True,
    )
    return [
        Wallet(customer_id, item["sk"].removeprefix(keys.CREDIT_WALLET_PREFIX), item)
        for item in page.items
    ]


def _entry(
    held: Wallet, kind: EntryKind, draws: Sequence[Draw], at: datetime, reference: str, after: int
) -> LedgerEntry:
    return LedgerEntry(
        id=f"cle_{uuid.uuid4().hex}",
        customer_id=held.customer_id,
        credit_type_id=held.credit_type_id,
        kind=kind,
        amount=-sum(d.amount for d in draws),
        balance_after=after,
        draws=list(draws),
        reference=reference,
        created_at=at,
    )


def _expirations(held: Wallet, now: datetime) -> tuple[list[LedgerEntry], list[Grant]]:
    """An `expire` entry for each grant that expired by `now` with credits left (the first
    `EXPIRIES_PER_WRITE`, so a transaction stays within DynamoDB's 100 writes), dated at its
    expiry, and the grants after them. Grants left over no longer count toward the balance;
    the next write writes them off."""
    grants, entries = list(held.grants), []
    for grant in wallet.expired(grants, now)[:EXPIRIES_PER_WRITE]:
        assert grant.expires_at is not None
        draw = [Draw(grant_id=grant.id, amount=grant.remaining)]
        grants = wallet.after_draws(grants, draw)
        after = wallet.balance(grants, grant.expires_at)
        entries.append(_entry(held, "expire", draw, grant.expires_at, "expired", after))
    return entries, grants


def _entry_writes(entry: LedgerEntry) -> list[Put]:
    at = sortable_timestamp(entry.created_at)
    item = {
        **keys.credit_ledger_entry(entry.customer_id, entry.credit_type_id, at, entry.id),
        "kind": "credit_entry",
        **entry.model_dump(mode="json"),
    }
    event = event_put(EventType.CREDITS_BALANCE_CHANGED, entry.customer_id, entry, entry.created_at)
    return [Put(item, ITEM_IS_NEW), event]


def _recharge_after(held: Wallet, grants: Sequence[Grant], now: datetime) -> AutoRecharge | None:
    """Auto-recharge after a move: due once the balance is below its threshold."""
    recharge = held.auto_recharge
    if recharge is None or not recharge.enabled or recharge.due:
        return recharge
    if wallet.balance(grants, now) >= recharge.threshold:
        return recharge
    return recharge.model_copy(update={"due": True})


def _wallet_put(
    held: Wallet,
    grants: Sequence[Grant],
    now: datetime,
    recharge: AutoRecharge | None = None,
) -> Put:
    """The wallet after a move, on the condition that nobody moved it since it was read; in
    the due-work index at its next expiry, or now when auto-recharge is due, so the billing
    run expires grants on time and buys the pack."""
    kept = [g for g in grants if g.remaining > 0 or (g.expires_at and g.expires_at > now)]
    recharge = recharge if recharge is not None else _recharge_after(held, kept, now)
    moments = [
        m for m in (wallet.next_expiry(kept), now if recharge and recharge.due else None) if m
    ]
    due = min(moments, default=None)
    item: Item = {
        **keys.credit_wallet(held.customer_id, held.credit_type_id),
        "kind": "credit_wallet",
        "customer_id": held.customer_id,
        "credit_type_id": held.credit_type_id,
        "grants": [g.model_dump(mode="json") for g in kept],
        "revision": held.revision + 1,
        **({"auto_recharge": recharge.model_dump(mode="json")} if recharge else {}),
        **(due_work_entry(held.customer_id, sortable_timestamp(due)) if due else {}),
    }
    if not held.exists:
        return Put(item, ITEM_IS_NEW)
    return Put(item, Condition("revision = :read", values={":read": held.revision}))


def _digest(idempotency_key: str) -> str:
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]


def _request_put(
    held: Wallet, key: str, fingerprint: str, entry: LedgerEntry, *, forever: bool
) -> Put:
    """The record of a request's idempotency key and the entry it made: kept 7 days for a
    caller's key, `forever` for a move that must happen once ever (a period's allowance, a
    refund, a void, a purchase's grant)."""
    item: Item = {
        **keys.credit_request(held.customer_id, held.credit_type_id, _digest(key)),
        "kind": "credit_request",
        "fingerprint": fingerprint,
        "entry": entry.model_dump(mode="json"),
    }
    if not forever:
        item[TTL_ATTRIBUTE] = int((entry.created_at + REQUEST_MEMORY).timestamp())
    return Put(item, ITEM_IS_NEW)


def _replayed(
    table: Table, customer_id: str, credit_type_id: str, key: str, fingerprint: str
) -> LedgerEntry | None:
    """The entry a request with this idempotency key made before, if one did (409 when that
    request asked for something else)."""
    item = table.get(
        keys.credit_request(customer_id, credit_type_id, _digest(key)), consistent=True
    )
    if item is None:
        return None
    if item["fingerprint"] != fingerprint:
        raise idempotency_key_reused("credit request")
    return LedgerEntry.model_validate(item["entry"])


Planner = Callable[[list[Grant], datetime], tuple[EntryKind, list[Draw], list[Grant], str]]
"""Plans a move on the live grants: its entry's kind, draws, the grants after it, reference."""


def move(
    table: Table,
    customer_id: str,
    credit_type_id: str,
    plan: Planner,
    now: datetime,
    *,
    idempotency_key: str,
    fingerprint: str,
    also: Sequence[Put | Update] = (),
    once_ever: bool = False,
) -> LedgerEntry:
    """Apply one move planned on the wallet as read, retrying when another move won first.
    A request already made with the key answers with its entry and moves nothing (for 7 days;
    `once_ever`: always). `also` are writes that commit with the move (a purchase marked
    granted)."""
    for _ in attempts(_ATTEMPTS):
        held = read_wallet(table, customer_id, credit_type_id)
        expirations, grants = _expirations(held, now)
        try:
            kind, draws, after, reference = plan(grants, now)
        except (RuleViolation, NotFound):
            replay = _replayed(table, customer_id, credit_type_id, idempotency_key, fingerprint)
            if replay is not None:
                return replay
            raise
        entry = _entry(held, kind, draws, now, reference, wallet.balance(after, now))
        writes: list[Any] = [
            _request_put(held, idempotency_key, fingerprint, entry, forever=once_ever)
        ]
        for done in [*expirations, entry]:
            writes += _entry_writes(done)
        writes += [_wallet_put(held, after, now), *also]
        try:
            table.transact(writes)
        except ConditionFailed as lost:
            if 0 in lost.failed_indexes:
                replay = _replayed(table, customer_id, credit_type_id, idempotency_key, fingerprint)
                if replay is not None:
                    return replay
            continue
        return entry
    raise changed_concurrently("credit balance", f"{customer_id}/{credit_type_id}")


def expire_due(table: Table, customer_id: str, now: datetime) -> int:
    """Write the `expire` entries of every grant of the customer that expired by `now` (the
    billing run, at each wallet's next expiry); the number written."""
    written = 0
    for held in wallets(table, customer_id):
        for _ in attempts(_ATTEMPTS):
            entries, grants = _expirations(held, now)
            if not entries:
                break
            writes: list[Any] = [w for e in entries for w in _entry_writes(e)]
            try:
                table.transact([*writes, _wallet_put(held, grants, now)])
                written += len(entries)
            except ConditionFailed:
                pass  # a move won first (and wrote some off): read again
            held = read_wallet(table, customer_id, held.credit_type_id)
    return written


def save_auto_recharge(
    table: Table,
    customer_id: str,
    credit_type_id: str,
    change: Callable[[Wallet], AutoRecharge],
    now: datetime,
    also: Sequence[Put] = (),
) -> AutoRecharge:
    """Set the wallet's auto-recharge to `change(wallet)`, on the revision read, retrying
    when a move won first; `also` commits with it."""
    for _ in attempts(_ATTEMPTS):
        held = read_wallet(table, customer_id, credit_type_id)
        recharge = change(held)
        expirations, grants = _expirations(held, now)
        writes: list[Any] = [w for e in expirations for w in _entry_writes(e)]
        writes += [_wallet_put(held, grants, now, recharge), *also]
        try:
            table.transact(writes)
        except ConditionFailed:
            continue
        return recharge
    raise changed_concurrently("credit balance", f"{customer_id}/{credit_type_id}")


def ledger_page(
    table: Table, customer_id: str, credit_type_id: str, *, limit: int, cursor: str | None
) -> tuple[list[LedgerEntry], str | None]:
    """One page of the ledger, newest first."""
    page = table.query(
        keys.customer_partition(customer_id),
        sort_key_prefix=keys.credit_ledger_prefix(credit_type_id),
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )
    return [LedgerEntry.model_validate(i) for i in page.items], page.next_cursor


def find_entry(
    table: Table, customer_id: str, credit_type_id: str, entry_id: str
) -> LedgerEntry | None:
    """One ledger entry by id (the credit type's ledger read, filtered, until it is found)."""
    page = table.query(
        keys.customer_partition(customer_id),
        sort_key_prefix=keys.credit_ledger_prefix(credit_type_id),
        where=Condition("id = :id", values={":id": entry_id}),
        limit=100,  # filtered pages: one call reads up to 100 entries
        consistent=True,
    )
    return LedgerEntry.model_validate(page.items[0]) if page.items else None


def balance_at(table: Table, customer_id: str, credit_type_id: str, at: datetime) -> int:
    """The balance at a past moment: the last entry's balance by then, less grants that had
    expired by then but are not written off yet."""
    prefix = keys.credit_ledger_prefix(credit_type_id)
    page = table.query(
        keys.customer_partition(customer_id),
        sort_key_at_most=f"{prefix}{sortable_timestamp(at)}#~",
        where=Condition("begins_with(sk, :prefix)", values={":prefix": prefix}),
        limit=100,  # the newest entry by then comes first; one call reads up to 100
        newest_first=True,
        consistent=True,
    )
    if not page.items:
        return 0
    last = LedgerEntry.model_validate(page.items[0])
    held = read_wallet(table, customer_id, credit_type_id)
    unwritten = sum(
        g.remaining
        for g in held.grants
        if g.expires_at is not None and last.created_at < g.expires_at <= at and g.remaining > 0
    )
    return last.balance_after - unwritten
