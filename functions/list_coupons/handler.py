"""GET /v1/coupons — list coupons."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.pages import Page
from billfold_lambda.params import Cursor, Limit

from billfold.catalog.coupons import Coupon, list_coupons

api = Api("list_coupons")


@api.route
def list_all(limit: Limit = 20, cursor: Cursor = None) -> Page[Coupon]:
    """One page of coupons, by id."""
    items, next_cursor = list_coupons(deps.table(), limit=limit, cursor=cursor)
    return Page(items=items, next_cursor=next_cursor)


handler = api.handler
