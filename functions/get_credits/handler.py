"""GET /v1/customers/{customerId}/credits/{creditTypeId} — one prepaid credit balance."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import At, CatalogIdPath, CustomerIdPath

from billfold.prepaid.models import CreditBalance
from billfold.prepaid.service import credit_balance

api = Api("get_credits")


@api.route
def get(customerId: CustomerIdPath, creditTypeId: CatalogIdPath, at: At = None) -> CreditBalance:
    """The balance now with its grants in draw order, or at a past moment `at`."""
    return credit_balance(deps.table(), customerId, creditTypeId, deps.clock(), at)


handler = api.handler
