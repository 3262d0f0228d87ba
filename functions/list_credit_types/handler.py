"""GET /v1/credit-types — list the kinds of prepaid credit."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.pages import Page
from billfold_lambda.params import Cursor, Limit

from billfold.catalog.credit_types import CreditType, list_credit_types

api = Api("list_credit_types")


@api.route
def list_all(limit: Limit = 20, cursor: Cursor = None) -> Page[CreditType]:
    """One page of credit types, by id."""
    items, next_cursor = list_credit_types(deps.table(), limit=limit, cursor=cursor)
    return Page(items=items, next_cursor=next_cursor)


handler = api.handler
