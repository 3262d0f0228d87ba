"""GET /v1/promotion-codes/{code} — get a promotion code."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import PromotionCodePath

from billfold.catalog.promotion_codes import PromotionCode, get_promotion_code

api = Api("get_promotion_code")


@api.route
def get(code: PromotionCodePath) -> PromotionCode:
    """The code and its redemptions, or 404 `promotion_code_not_found`."""
    return get_promotion_code(deps.table(), code)


handler = api.handler
