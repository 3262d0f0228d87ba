"""POST /v1/customers/{customerId}/invoices/{invoiceId}/pay — charge an open invoice now."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CustomerIdPath, InvoiceIdPath

from billfold.invoicing.collection import collect_invoice
from billfold.invoicing.models import Invoice
from billfold.invoicing.service import get_invoice

api = Api("pay_invoice")


@api.route
def pay(customerId: CustomerIdPath, invoiceId: InvoiceIdPath) -> Invoice:
    """The invoice after the attempt: paid, or open with the decline in `payment`."""
    table = deps.table()
    invoice = get_invoice(table, customerId, invoiceId, consistent=True)
    dunning = deps.settings().dunning_days
    now = deps.clock().now()
    paid = collect_invoice(table, deps.stripe_charges(), invoice, now, dunning, on_request=True)
    deps.invoice_documents().store(paid)
    return paid


handler = api.handler
