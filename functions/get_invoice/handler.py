"""GET /v1/customers/{customerId}/invoices/{invoiceId} — one invoice."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CustomerIdPath, InvoiceIdPath

from billfold.invoicing.models import Invoice
from billfold.invoicing.service import get_invoice

api = Api("get_invoice")


@api.route
def get(customerId: CustomerIdPath, invoiceId: InvoiceIdPath) -> Invoice:
    """The invoice, or 404 `invoice_not_found` (also for another customer's invoice)."""
    return get_invoice(deps.table(), customerId, invoiceId)


handler = api.handler
