"""PATCH /v1/promotion-codes/{code} — turn a promotion code off or on."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import PromotionCodePath

from billfold.catalog.promotion_codes import (
    PromotionCode,
    PromotionCodeUpdate,
    update_promotion_code,
)

api = Api("update_promotion_code")


@api.route
def update(code: PromotionCodePath, body: PromotionCodeUpdate) -> PromotionCode:
    """The code as it is now."""
    return update_promotion_code(deps.table(), code, body)


handler = api.handler
