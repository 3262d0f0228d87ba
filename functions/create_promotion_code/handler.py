"""POST /v1/promotion-codes — create a promotion code for a coupon."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api

from billfold.catalog.promotion_codes import (
    PromotionCode,
    PromotionCodeCreate,
    create_promotion_code,
)

api = Api("create_promotion_code")


@api.route
def create(body: PromotionCodeCreate) -> PromotionCode:
    """The code (the same request again returns it; other terms for the code are a 409)."""
    return create_promotion_code(deps.table(), body, deps.clock())


handler = api.handler
