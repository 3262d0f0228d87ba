"""GET /v1/customers/{customerId}/credits/{creditTypeId}/ledger — the credits' ledger."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.pages import Page
from billfold_lambda.params import CatalogIdPath, Cursor, CustomerIdPath, Limit

from billfold.catalog.credit_types import get_credit_type
from billfold.prepaid.ledger import ledger_page
from billfold.prepaid.models import LedgerEntry

api = Api("list_credit_ledger")


@api.route
def list_all(
    customerId: CustomerIdPath,
    creditTypeId: CatalogIdPath,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[LedgerEntry]:
    """One page of grants, consumes and expiries, newest first; 404 for no such credit type."""
    get_credit_type(deps.table(), creditTypeId)
    items, next_cursor = ledger_page(
        deps.table(), customerId, creditTypeId, limit=limit, cursor=cursor
    )
    return Page(items=items, next_cursor=next_cursor)


handler = api.handler
