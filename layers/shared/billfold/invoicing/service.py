"""Reading and voiding invoices."""

from collections.abc import Sequence
from datetime import datetime

from billfold.clock import Clock, sortable_timestamp
from billfold.credits.ledger import CreditTransaction, balance_moves, balance_of
from billfold.customers.service import get_customer
from billfold.errors import Conflict, ErrorCode, NotFound
from billfold.invoicing.events import change_events
from billfold.invoicing.models import Invoice
from billfold.storage import keys
from billfold.storage.due_work import due_work_entry
from billfold.storage.table import (
    ITEM_IS_NEW,
    Condition,
    ConditionFailed,
    Item,
    Put,
    Table,
    Update,
    attribute_is,
)


def _not_found(invoice_id: str) -> NotFound:
    return NotFound(f"invoice '{invoice_id}' does not exist", code=ErrorCode.INVOICE_NOT_FOUND)


def list_invoices(
    table: Table, customer_id: str, *, limit: int, cursor: str | None
) -> tuple[list[Invoice], str | None]:
    """One page of the customer's invoices, newest first."""
    get_customer(table, customer_id)
    page = table.query(
        keys.customer_partition(customer_id),
        sort_key_prefix=keys.INVOICE_PREFIX,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )
    return [Invoice.model_validate(item) for item in page.items], page.next_cursor


def get_invoice(
    table: Table, customer_id: str, invoice_id: str, *, consistent: bool = False
) -> Invoice:
    """One of the customer's invoices (another customer's is as unknown as a missing one)."""
    stored = table.get(keys.invoice(customer_id, invoice_id), consistent=consistent)
    if stored is None:
        get_customer(table, customer_id)
        raise _not_found(invoice_id)
    return Invoice.model_validate(stored)


def owner_of(table: Table, invoice_id: str) -> str:
    """The customer an invoice belongs to, or NotFound."""
    pointer = table.get(keys.invoice_owner(invoice_id))
    if pointer is None:
        raise _not_found(invoice_id)
    return str(pointer["customer_id"])


def save_invoice(
    table: Table,
    before: Invoice,
    after: Invoice,
    now: datetime,
    also: Sequence[Put | Update] = (),
) -> Invoice:
    """Write `after` (its revision bumped), with the events of the change and `also`, if
    nobody changed the invoice since `before` was read."""
    changed = after.model_copy(update={"revision": before.revision + 1})
    write = Put(invoice_item(changed), attribute_is("revision", before.revision))
    try:
        table.transact([write, *change_events(before, changed, now), *also])
    except ConditionFailed:
        raise Conflict(
            f"invoice '{before.id}' changed meanwhile; read it again",
            code=ErrorCode.CONCURRENT_MODIFICATION,
        ) from None
    return changed


def void_invoice(table: Table, invoice_id: str, clock: Clock) -> Invoice:
    """Void an open invoice (nothing more is charged); voiding it again changes nothing."""
    invoice = get_invoice(table, owner_of(table, invoice_id), invoice_id, consistent=True)
    return void(table, invoice, clock.now())


def void(table: Table, invoice: Invoice, now: datetime) -> Invoice:
    """The invoice as read, voided (Conflict when it is no longer open)."""
    if invoice.status == "void":
        return invoice
    if invoice.status != "open":
        raise Conflict(
            f"only an open invoice can be voided; '{invoice.id}' is {invoice.status}",
            code=ErrorCode.INVOICE_NOT_OPEN,
        )
    voided = invoice.model_copy(
        update={
            "status": "void",
            "voided_at": now,
            "payment": invoice.payment.model_copy(update={"next_attempt_at": None}),
        }
    )
    return save_invoice(table, invoice, voided, now, _credit_returned(table, invoice, now))


def _credit_returned(table: Table, invoice: Invoice, now: datetime) -> list[Put | Update]:
    """The balance moves that give back the credit a voided invoice had drawn."""
    if invoice.credit_applied <= 0:
        return []
    was = balance_of(table, invoice.customer_id, invoice.currency, consistent=True)
    returned = CreditTransaction(
        id=f"ctx_void_{invoice.id.removeprefix('in_')}",
        currency=invoice.currency,
        kind="added",
        amount=invoice.credit_applied,
        balance_after=was + invoice.credit_applied,
        invoice_id=invoice.id,
        invoice_number=invoice.number,
        reason="void",
        subscription_id=invoice.subscription_id,
        billing_record_id=invoice.billing_record_id,
        created_at=now,
    )
    return balance_moves(invoice.customer_id, returned, was)


def invoice_item(invoice: Invoice) -> Item:
    """The invoice as stored: listable newest first in the customer's partition, and in the
    due-work index while a payment retry is scheduled."""
    item: Item = {
        **keys.invoice(invoice.customer_id, invoice.id),
        "kind": "invoice",
        **invoice.model_dump(mode="json"),
    }
    retry = invoice.payment.next_attempt_at
    if invoice.status == "open" and retry is not None:
        item.update(due_work_entry(invoice.customer_id, sortable_timestamp(retry)))
    return item


def owner_put(invoice: Invoice) -> Put:
    """The pointer from the invoice's id to its customer (for routes naming only the id)."""
    return Put({**keys.invoice_owner(invoice.id), "customer_id": invoice.customer_id}, ITEM_IS_NEW)


def open_invoices(table: Table, customer_id: str) -> list[Invoice]:
    """The customer's open invoices, oldest first."""
    page = table.query(
        keys.customer_partition(customer_id),
        sort_key_prefix=keys.INVOICE_PREFIX,
        where=Condition("#status = :open", {"#status": "status"}, {":open": "open"}),
        limit=100,
    )
    return [Invoice.model_validate(item) for item in page.items]
