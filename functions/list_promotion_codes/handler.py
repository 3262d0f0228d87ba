"""GET /v1/promotion-codes — list promotion codes."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.pages import Page
from billfold_lambda.params import Cursor, Limit

from billfold.catalog.promotion_codes import PromotionCode, list_promotion_codes

api = Api("list_promotion_codes")


@api.route
def list_all(limit: Limit = 20, cursor: Cursor = None) -> Page[PromotionCode]:
    """One page of codes, by code."""
    items, next_cursor = list_promotion_codes(deps.table(), limit=limit, cursor=cursor)
    return Page(items=items, next_cursor=next_cursor)


handler = api.handler
