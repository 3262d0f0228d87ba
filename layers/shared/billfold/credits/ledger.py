"""The customer's credit balance, per currency, and its ledger: the one module that reads and
writes both.

Credit comes from invoices whose total is negative (a downgrade's or a change's credit) and is
drawn by the next invoices with something to pay. Each move is written by the transaction that
issues its invoice: the balance (conditional on the amount read) and one ledger entry naming
the invoice and what billed it, so the ledger always adds up to the balance.
"""

from datetime import datetime
from typing import Literal

from billfold.clock import sortable_timestamp
from billfold.models import ApiModel
from billfold.outbox import EventType, event_put
from billfold.storage import keys
from billfold.storage.table import Condition, Item, Put, Table, Update

_LEDGER_PREFIX = "BALANCETX#"

CreditMove = Literal["added", "applied"]
"""added: an invoice's negative total became credit, or a voided invoice gave back what it had
drawn. applied: an invoice drew on it."""


class CreditBalance(ApiModel):
    """What the customer holds in one currency, to be taken off their next invoices."""

    currency: str
    amount: int


class CreditBalances(ApiModel):
    """The customer's credit, per currency (a currency with none is left out)."""

    customer_id: str
    balances: list[CreditBalance]


class CreditTransaction(ApiModel):
    """One move of the balance: `amount` added (positive) or applied (negative), the balance
    after it, and the invoice (and the change or renewal behind it) that moved it."""

    id: str
    currency: str
    kind: CreditMove
    amount: int
    balance_after: int
    invoice_id: str
    invoice_number: str
    reason: str
    """What billed the invoice: `change`, `renewal`, `subscription_created`, ..."""
    subscription_id: str | None = None
    billing_record_id: str | None = None
    created_at: datetime


def balance_of(table: Table, customer_id: str, currency: str, *, consistent: bool = False) -> int:
    """The customer's credit in one currency (0 when none)."""
    item = table.get(keys.credit_balance(customer_id, currency), consistent=consistent)
    return int(item.get("amount", 0)) if item else 0


def balance_key(customer_id: str, currency: str) -> keys.Key:
    """The balance item's key, for a reader batching it with others (`balance_in` reads it)."""
    return keys.credit_balance(customer_id, currency)


def balance_in(items: dict[str, Item], customer_id: str, currency: str) -> int:
    """The balance among items read by sort key (for a caller batching its reads)."""
    item = items.get(keys.credit_balance(customer_id, currency)["sk"])
    return int(item.get("amount", 0)) if item else 0


def balances(table: Table, customer_id: str) -> CreditBalances:
    """Every currency the customer holds credit in."""
    page = table.query(
        keys.customer_partition(customer_id), sort_key_prefix=keys.CREDIT_PREFIX, limit=100
    )
    held = [
        CreditBalance(currency=item["sk"].removeprefix(keys.CREDIT_PREFIX), amount=item["amount"])
        for item in page.items
        if int(item.get("amount", 0))
    ]
    return CreditBalances(customer_id=customer_id, balances=held)


def transactions(
    table: Table, customer_id: str, *, limit: int, cursor: str | None
) -> tuple[list[CreditTransaction], str | None]:
    """The ledger, newest first."""
    page = table.query(
        keys.customer_partition(customer_id),
        sort_key_prefix=_LEDGER_PREFIX,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )
    return [CreditTransaction.model_validate(i) for i in page.items], page.next_cursor


def balance_moves(customer_id: str, transaction: CreditTransaction, was: int) -> list[Put | Update]:
    """The writes that move the balance from `was` as `transaction` says, with its
    `credit_balance.changed` event, to go in the transaction that issues its invoice (nothing
    when it moves nothing)."""
    if transaction.amount == 0:
        return []
    key = keys.credit_balance(customer_id, transaction.currency)
    entry = {
        "pk": key["pk"],
        "sk": f"{_LEDGER_PREFIX}{sortable_timestamp(transaction.created_at)}#{transaction.id}",
        "kind": "credit_transaction",
        **transaction.model_dump(mode="json"),
    }
    return [
        Update(
            key,
            "SET amount = :amount",
            Condition("attribute_not_exists(amount) OR amount = :was", values={":was": was}),
            values={":amount": transaction.balance_after},
        ),
        Put(entry),
        event_put(
            EventType.CREDIT_BALANCE_CHANGED, customer_id, transaction, transaction.created_at
        ),
    ]
