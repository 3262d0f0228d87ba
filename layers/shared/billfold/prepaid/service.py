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
    once_ever: bool = False,
) -> LedgerEntry:
    """Add a grant to the customer's credits of a type: a `grant` ledger entry, once per
    idempotency key (`once_ever`: for good, not just 7 days), with `also` in the same
    transaction."""
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
        once_ever=once_ever,
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
        once_ever=True,
        fingerprint="void",
    )


def refund_consume(
    table: Table, customer_id: str, credit_type_id: str, entry_id: str, clock: Clock
) -> LedgerEntry:
    """Give back what a consume drew, to the grants it drew from (a `refund` entry), once
    ever. A grant used up since (and so gone from the wallet) gets its share back as a new
    grant with its priority and expiry; what was drawn from a grant that has expired stays
    expired."""
    consumed = ledger.find_entry(table, customer_id, credit_type_id, entry_id)
    if consumed is None or consumed.kind != "consume":
        raise NotFound(f"no consume '{entry_id}' to refund", code=ErrorCode.LEDGER_ENTRY_NOT_FOUND)

    def plan(grants: list[Grant], at: datetime) -> tuple[EntryKind, list[Draw], list[Grant], str]:
        held = {g.id for g in grants}
        returned, regrants = [], []
        for draw in consumed.draws:
            if draw.expires_at is not None and draw.expires_at <= at:
                continue  # drawn from a grant that has expired since: it stays expired
            if draw.grant_id in held:
                returned.append(Draw(grant_id=draw.grant_id, amount=-draw.amount))
            else:
                priority = PROMOTIONAL_PRIORITY if draw.priority is None else draw.priority
                regrant = new_grant("refund", draw.amount, at, priority, draw.expires_at)
                regrants.append(regrant)
                returned.append(Draw(grant_id=regrant.id, amount=-draw.amount))
        after = [*wallet.after_draws(grants, returned), *regrants]
        return "refund", returned, after, f"refund of {entry_id}"

    return ledger.move(
        table,
        customer_id,
        credit_type_id,
        plan,
        clock.now(),
        idempotency_key=f"refund:{entry_id}",
        fingerprint="refund",
        once_ever=True,
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
