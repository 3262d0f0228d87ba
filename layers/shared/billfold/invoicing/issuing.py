"""Issuing invoices: each pending billing record becomes exactly one numbered invoice.

One transaction per invoice takes the next number (conditional on the last one read, so
numbers have no gaps and no duplicates even when runs race), writes the invoice and its owner
pointer, marks the billing record invoiced (conditional on it still being pending, so a record
is invoiced once) and moves the customer's credit balance (conditional on the balance read).
A transaction that loses a race is read and tried again.
"""

import uuid
from datetime import datetime

from billfold import figures
from billfold.billing.lines import BillingLine
from billfold.clock import sortable_timestamp
from billfold.credits.ledger import CreditTransaction, balance_in, balance_key, balance_moves
from billfold.customers.service import get_customer
from billfold.errors import Conflict, ErrorCode
from billfold.invoicing.arithmetic import discount_line, totals
from billfold.invoicing.events import change_events
from billfold.invoicing.models import Invoice, InvoiceLine, Party
from billfold.invoicing.service import invoice_item, owner_put
from billfold.retries import attempts
from billfold.storage import keys
from billfold.storage.table import ITEM_IS_NEW, Condition, ConditionFailed, Item, Put, Table, Update
from billfold.subscriptions.models import BillingRecord
from billfold.subscriptions.store import (
    billing_record_invoiced,
    pending_billing_records,
)

MAX_ATTEMPTS = 12
NUMBER_WIDTH = 6


def invoice_number(sequence: int) -> str:
    """The human number of the deployment's `sequence`-th invoice: INV-000123."""
    if sequence < 1:
        raise ValueError("invoice numbers start at 1")
    return f"INV-{sequence:0{NUMBER_WIDTH}d}"


def new_invoice_id(now: datetime) -> str:
    """An invoice id that starts with its creation time, so ids sort as invoices were made."""
    stamp = sortable_timestamp(now).translate(str.maketrans("", "", "-:.TZ"))
    return f"in_{stamp}{uuid.uuid4().hex[:8]}"


def invoice_line(line: BillingLine) -> InvoiceLine:
    """A billing record's line as printed on the invoice."""
    return InvoiceLine(
        kind=line.kind,
        description=line.description,
        quantity=line.quantity,
        unit_amount=line.unit_amount,
        amount=line.amount,
        tiers=line.tiers,
        period_start=line.period_start,
        period_end=line.period_end,
    )


def _record(item: Item) -> BillingRecord:
    return BillingRecord.model_validate(item)


def _draft(
    record: BillingRecord, seller: Party, customer: Party, sequence: int, balance: int
) -> Invoice:
    """The invoice of a billing record, dated when the record was made (the billing event)."""
    issued = record.created_at
    lines = [invoice_line(line) for line in record.lines]
    if record.discount is not None and (line := discount_line(lines, record.discount)):
        lines.append(line)
    money = totals(lines, balance)
    settled = money.amount_due == 0
    return Invoice(
        id=new_invoice_id(issued),
        number=invoice_number(sequence),
        customer_id=record.customer_id,
        subscription_id=record.subscription_id,
        billing_record_id=record.id,
        reason=record.reason,
        status="paid" if settled else "open",
        currency=record.currency,
        seller=seller,
        customer=customer,
        lines=lines,
        subtotal=money.subtotal,
        discount=money.discount,
        total=money.total,
        credit_applied=money.credit_applied,
        credit_added=money.credit_added,
        amount_due=money.amount_due,
        amount_paid=0,
        created_at=issued,
        paid_at=issued if settled else None,
    )


def _writes(
    invoice: Invoice, record_key: keys.Key, sequence: int, balance: int
) -> list[Put | Update]:
    last = sequence - 1
    counter_condition = (
        Condition("attribute_not_exists(#last)", {"#last": "last"})
        if last == 0
        else Condition("#last = :last", {"#last": "last"}, {":last": last})
    )
    writes: list[Put | Update] = [
        Update(
            keys.INVOICE_NUMBER_COUNTER,
            "SET #last = :next",
            counter_condition,
            {"#last": "last"},
            {":next": sequence},
        ),
        Put(invoice_item(invoice), ITEM_IS_NEW),
        owner_put(invoice),
        billing_record_invoiced(record_key, invoice.id),
        *change_events(None, invoice, invoice.created_at),
    ]
    moved = invoice.credit_added - invoice.credit_applied
    credit = CreditTransaction(
        id=f"ctx_{invoice.id.removeprefix('in_')}",
        currency=invoice.currency,
        kind="added" if moved > 0 else "applied",
        amount=moved,
        balance_after=balance + moved,
        invoice_id=invoice.id,
        invoice_number=invoice.number,
        reason=invoice.reason,
        subscription_id=invoice.subscription_id,
        billing_record_id=invoice.billing_record_id,
        created_at=invoice.created_at,
    )
    return writes + balance_moves(invoice.customer_id, credit, balance)


def issue_invoice(table: Table, record_key: keys.Key, seller: Party) -> Invoice | None:
    """Invoice the billing record at `record_key`; None when it was already invoiced."""
    for _ in attempts(MAX_ATTEMPTS):
        found = table.get(record_key, consistent=True)
        if found is None or found.get("status") != "pending":
            return None
        record = _record(found)
        profile = get_customer(table, record.customer_id, consistent=True)
        state = {
            item["sk"]: item
            for item in table.get_many(
                [
                    keys.INVOICE_NUMBER_COUNTER,
                    balance_key(record.customer_id, record.currency),
                ],
                consistent=True,
            )
        }
        sequence = int(state.get(keys.INVOICE_NUMBER_COUNTER["sk"], {}).get("last", 0)) + 1
        balance = balance_in(state, record.customer_id, record.currency)
        customer = Party(name=profile.name, email=profile.email)
        invoice = _draft(record, seller, customer, sequence, balance)
        try:
            table.transact(_writes(invoice, record_key, sequence, balance))
        except ConditionFailed:
            continue
        figures.record(figures.Figure.INVOICES_ISSUED)
        return invoice
    raise Conflict(
        "invoicing kept racing other invoices; it will be retried", code=ErrorCode.INVOICE_RACE
    )


def invoice_pending(table: Table, customer_id: str, seller: Party) -> list[Invoice]:
    """Invoice every pending billing record of the customer, oldest first."""
    issued = [
        issue_invoice(table, key, seller) for key in pending_billing_records(table, customer_id)
    ]
    return [invoice for invoice in issued if invoice is not None]
