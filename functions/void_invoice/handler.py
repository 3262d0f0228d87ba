"""POST /v1/invoices/{invoiceId}/void — void an open invoice (server key only)."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import InvoiceIdPath

from billfold.invoicing.models import Invoice
from billfold.invoicing.service import void_invoice

api = Api("void_invoice")


@api.route
def void(invoiceId: InvoiceIdPath) -> Invoice:
    """The voided invoice; 409 `invoice_not_open` for a paid or uncollectible one."""
    voided = void_invoice(deps.table(), invoiceId, deps.clock())
    deps.invoice_documents().store(voided)
    return voided


handler = api.handler
