"""GET /v1/coupons/{couponId} — get a coupon."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CatalogIdPath

from billfold.catalog.coupons import Coupon, get_coupon

api = Api("get_coupon")


@api.route
def get(couponId: CatalogIdPath) -> Coupon:
    """The coupon, or 404 `coupon_not_found`."""
    return get_coupon(deps.table(), couponId)


handler = api.handler
