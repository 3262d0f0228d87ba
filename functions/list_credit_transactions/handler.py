"""GET /v1/customers/{customerId}/credit-balance/transactions — the credit balance's ledger."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.pages import Page
from billfold_lambda.params import Cursor, CustomerIdPath, Limit

from billfold.credits.ledger import CreditTransaction, transactions
from billfold.customers.service import get_customer

api = Api("list_credit_transactions")


@api.route
def list_all(
    customerId: CustomerIdPath, limit: Limit = 20, cursor: Cursor = None
) -> Page[CreditTransaction]:
    """One page of the ledger, newest first; 404 for no customer."""
    get_customer(deps.table(), customerId)
    items, next_cursor = transactions(deps.table(), customerId, limit=limit, cursor=cursor)
    return Page(items=items, next_cursor=next_cursor)


handler = api.handler
