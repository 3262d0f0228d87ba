"""POST /v1/credit-types — create a kind of prepaid credit."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api

from billfold.catalog.credit_types import CreditType, CreditTypeCreate, create_credit_type

api = Api("create_credit_type")


@api.route
def create(body: CreditTypeCreate) -> CreditType:
    """Create the credit type (the same request again returns it)."""
    return create_credit_type(deps.table(), body, deps.clock())


handler = api.handler
