"""What happens to a paid invoice afterwards, as the payment provider reports it: refunds and
disputes. Each is recorded against the invoice as read, conditional on its revision."""

from billfold.invoicing.models import Invoice
from billfold.invoicing.service import save_invoice
from billfold.storage.table import Table


def record_refund(table: Table, invoice: Invoice, refunded: int) -> Invoice:
    """The invoice with `refunded` as the amount refunded of its charge (unchanged if it was)."""
    if invoice.amount_refunded == refunded:
        return invoice
    return save_invoice(table, invoice, invoice.model_copy(update={"amount_refunded": refunded}))


def record_dispute(table: Table, invoice: Invoice) -> Invoice:
    """The invoice flagged as disputed (the dispute itself is handled with the provider)."""
    if invoice.disputed:
        return invoice
    return save_invoice(table, invoice, invoice.model_copy(update={"disputed": True}))
