"""GET /v1/pricing — the public plans and add-ons (publishable key)."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api

from billfold.catalog.pricing import Pricing, public_pricing

api = Api("get_pricing")


@api.route
def pricing() -> Pricing:
    """The plans and add-ons the seller marked `public`, in display order, with the features
    they grant and what each plan adds to the public plan it builds on."""
    return public_pricing(deps.table())


handler = api.handler
