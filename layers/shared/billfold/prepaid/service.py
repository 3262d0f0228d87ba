"""Prepaid credits as the API offers them: grants, consumes, balances."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from billfold.catalog.credit_types import get_credit_type
from billfold.clock import Clock
from billfold.customers.service import get_customer
from billfold.errors import ErrorCode, InvalidInput, NotFound
from billfold.prepaid import ledger, wallet
from billfold.prepaid.models import (
    PROMOTIONAL_PRIORITY,
    AutoRecharge,
    AutoRechargeSettings,
    ConsumeCredits,
    CreditBalance,
    Draw,
    EntryKind,
    Grant,
    GrantCreate,
    GrantSource,
    LedgerEntry,
)
from billfold.storage.table import Put, Table, Update


def grant_credits(
    table: Table, customer_id: str, request: GrantCreate, clock: Clock
) -> LedgerEntry:
    """A promotional grant from the seller's server (once per idempotency key)."""
    now = clock.now()
    if request.expires_at is not None and request.expires_at <= now:
        raise InvalidInput("a grant must expire in the future", field="expiresAt")
    get_customer(table, customer_id)
    get_credit_type(table, request.credit_type_id)
    return add_grant(
        table,
        customer_id,
        request.credit_type_id,
        new_grant("promotional", request.amount, now, request.priority, request.expires_at),
        now,
        idempotency_key=request.idempotency_key,
        fingerprint=request.model_dump_json(exclude={"idempotency_key"}),
        reference=request.reference,
    )


def new_grant(
    source: GrantSource,
    amount: int,
    now: datetime,
    priority: int,
    expires_at: datetime | None = None,
) -> Grant:
    """A fresh grant of `amount` credits, none drawn yet."""
    return Grant(
        id=f"crg_{uuid.uuid4().hex}",
        source=source,
        amount=amount,
        remaining=amount,
        priority=priority,
        expires_at=expires_at,
        granted_at=now,
    )


def add_grant(
    table: Table,
    customer_id: str,
    credit_type_id: str,
    grant: Grant,
    now: datetime,
    *,
    idempotency_key: str,
    fingerprint: str,
    reference: str = "",
    also: Sequence[Put | Update] = (),
) -> LedgerEntry:
    """Add a grant to the customer's credits of a type: a `grant` ledger entry, once per
    idempotency key, with `also` in the same transaction."""
    grant = grant.model_copy(update={"reference": reference})

    def plan(grants: list[Grant], at: datetime) -> tuple[EntryKind, list[Draw], list[Grant], str]:
        draws = [Draw(grant_id=grant.id, amount=-grant.amount)]
        return "grant", draws, [*grants, grant], reference

    return ledger.move(
        table,
        customer_id,
        credit_type_id,
        plan,
        now,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        also=also,
    )


def consume_credits(
    table: Table, customer_id: str, credit_type_id: str, request: ConsumeCredits, clock: Clock
) -> LedgerEntry:
    """Draw credits, all or nothing: 422 `insufficient_credits` when the balance is short.
    Racing consumes each win or find the balance short; none can take it below zero."""

    def plan(grants: list[Grant], at: datetime) -> tuple[EntryKind, list[Draw], list[Grant], str]:
        draws = wallet.draws_for(grants, request.amount, at)
        return "consume", draws, wallet.after_draws(grants, draws), request.reference

    return ledger.move(
        table,
        customer_id,
        credit_type_id,
        plan,
        clock.now(),
        idempotency_key=request.idempotency_key,
        fingerprint=request.model_dump_json(exclude={"idempotency_key"}),
    )


def void_grant(
    table: Table, customer_id: str, credit_type_id: str, grant_id: str, clock: Clock
) -> LedgerEntry:
    """Take back what is left of a grant (a `void` entry); voiding it again changes nothing."""

    def plan(grants: list[Grant], at: datetime) -> tuple[EntryKind, list[Draw], list[Grant], str]:
        grant = next((g for g in grants if g.id == grant_id), None)
        if grant is None:
            raise NotFound(
                f"no grant '{grant_id}' with credits left", code=ErrorCode.GRANT_NOT_FOUND
            )
        draws = [Draw(grant_id=grant.id, amount=grant.remaining)]
        return "void", draws, wallet.after_draws(grants, draws), f"voided {grant_id}"

    return ledger.move(
        table,
        customer_id,
        credit_type_id,
        plan,
        clock.now(),
        idempotency_key=f"void:{grant_id}",
        fingerprint="void",
    )


def refund_consume(
    table: Table, customer_id: str, credit_type_id: str, entry_id: str, clock: Clock
) -> LedgerEntry:
    """Give back what a consume drew, to the grants it drew from (a `refund` entry), once.
    Credits given back to a grant that has since expired expire with it; those of a grant used
    up since (and so gone from the wallet) come back as a new grant that never expires."""
    consumed = ledger.find_entry(table, customer_id, credit_type_id, entry_id)
    if consumed is None or consumed.kind != "consume":
        raise NotFound(f"no consume '{entry_id}' to refund", code=ErrorCode.LEDGER_ENTRY_NOT_FOUND)
    back = [Draw(grant_id=d.grant_id, amount=-d.amount) for d in consumed.draws]

    def plan(grants: list[Grant], at: datetime) -> tuple[EntryKind, list[Draw], list[Grant], str]:
        held = {g.id for g in grants}
        returned = [d for d in back if d.grant_id in held]
        after = wallet.after_draws(grants, returned)
        gone = -sum(d.amount for d in back if d.grant_id not in held)
        if gone:
            regrant = new_grant("refund", gone, at, PROMOTIONAL_PRIORITY)
            returned.append(Draw(grant_id=regrant.id, amount=-gone))
            after.append(regrant)
        return "refund", returned, after, f"refund of {entry_id}"

    return ledger.move(
        table,
        customer_id,
        credit_type_id,
        plan,
        clock.now(),
        idempotency_key=f"refund:{entry_id}",
        fingerprint="refund",
    )


def credit_balances(table: Table, customer_id: str, clock: Clock) -> list[CreditBalance]:
    """The customer's balance of every credit type they hold, now."""
    now = clock.now()
    get_customer(table, customer_id)
    return [held.balance(now) for held in ledger.wallets(table, customer_id)]


def credit_balance(
    table: Table, customer_id: str, credit_type_id: str, clock: Clock, at: datetime | None
) -> CreditBalance:
    """The customer's balance of one credit type: now, with its grants, or at a past moment
    `at` from the ledger (grants left out: they are as they stand now)."""
    now = clock.now()
    get_credit_type(table, credit_type_id)
    if at is None or at >= now:
        return ledger.read_wallet(table, customer_id, credit_type_id).balance(now)
    return CreditBalance(
        customer_id=customer_id,
        credit_type_id=credit_type_id,
        balance=ledger.balance_at(table, customer_id, credit_type_id, at),
        grants=[],
        as_of=at,
    )


def set_auto_recharge(
    table: Table,
    customer_id: str,
    credit_type_id: str,
    settings: AutoRechargeSettings,
    clock: Clock,
) -> AutoRecharge:
    """Configure auto-recharge for one credit type (switching it back on clears the reason it
    was switched off); due at once when the balance is already below the threshold."""
    now = clock.now()
    get_customer(table, customer_id)
    get_credit_type(table, credit_type_id).pack(settings.pack_id)

    def configured(held: ledger.Wallet) -> AutoRecharge:
        before = held.auto_recharge
        spent = {}
        if before is not None:
            spent = before.model_dump(include={"month", "purchases_this_month", "spent_this_month"})
        below = wallet.balance(held.grants, now) < settings.threshold
        return AutoRecharge(**settings.model_dump(), **spent, due=settings.enabled and below)

    return ledger.save_auto_recharge(table, customer_id, credit_type_id, configured, now)
