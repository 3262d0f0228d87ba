"""POST /v1/coupons — create a coupon."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api

from billfold.catalog.coupons import Coupon, CouponCreate, create_coupon

api = Api("create_coupon")


@api.route
def create(body: CouponCreate) -> Coupon:
    """The coupon (the same request again returns it; other terms for its id are a 409)."""
    return create_coupon(deps.table(), body, deps.clock())


handler = api.handler
