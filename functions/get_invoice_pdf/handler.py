"""GET /v1/customers/{customerId}/invoices/{invoiceId}/pdf — a download link for the PDF."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CustomerIdPath, InvoiceIdPath

from billfold.invoicing.documents import DocumentLink
from billfold.invoicing.service import get_invoice

api = Api("get_invoice_pdf")


@api.route
def pdf(customerId: CustomerIdPath, invoiceId: InvoiceIdPath) -> DocumentLink:
    """`{url, expiresAt}`: a presigned URL valid for five minutes."""
    invoice = get_invoice(deps.table(), customerId, invoiceId)
    return deps.invoice_documents().pdf_link(invoice, deps.clock().now())


handler = api.handler
