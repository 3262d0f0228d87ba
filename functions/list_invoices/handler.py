"""GET /v1/customers/{customerId}/invoices — the customer's invoices, newest first."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.pages import Page
from billfold_lambda.params import Cursor, CustomerIdPath, Limit

from billfold.invoicing.models import Invoice
from billfold.invoicing.service import list_invoices

api = Api("list_invoices")


@api.route
def list_all(customerId: CustomerIdPath, limit: Limit = 20, cursor: Cursor = None) -> Page[Invoice]:
    """One page of invoices, newest first."""
    items, next_cursor = list_invoices(deps.table(), customerId, limit=limit, cursor=cursor)
    return Page(items=items, next_cursor=next_cursor)


handler = api.handler
