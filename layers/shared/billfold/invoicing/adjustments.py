"""What happens to a paid invoice afterwards, as the payment provider reports it: refunds and
disputes. Each is recorded against the invoice as read, conditional on its revision."""

from datetime import datetime

from billfold.invoicing.models import Invoice
from billfold.invoicing.service import save_invoice
from billfold.storage.table import Table


def record_refund(table: Table, invoice: Invoice, refunded: int, now: datetime) -> Invoice:
    """The invoice with `refunded` as the amount refunded of its charge (unchanged if it was)."""
    if invoice.amount_refunded == refunded:
        return invoice
    return save_invoice(
        table, invoice, invoice.model_copy(update={"amount_refunded": refunded}), now
    )


def record_dispute(table: Table, invoice: Invoice, now: datetime) -> Invoice:
    """The invoice flagged as disputed (the dispute itself is handled with the provider)."""
    if invoice.disputed:
        return invoice
    return save_invoice(table, invoice, invoice.model_copy(update={"disputed": True}), now)
