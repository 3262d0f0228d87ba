"""GET /v1/customers — list customers, newest first."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.pages import Page
from billfold_lambda.params import Cursor, Limit

from billfold.customers.models import Customer
from billfold.customers.service import list_customers

api = Api("list_customers")


@api.route
def list_all(limit: Limit = 20, cursor: Cursor = None) -> Page[Customer]:
    """One page of customers, newest first."""
    items, next_cursor = list_customers(deps.table(), limit=limit, cursor=cursor)
    return Page(items=items, next_cursor=next_cursor)


handler = api.handler
