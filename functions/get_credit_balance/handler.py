"""GET /v1/customers/{customerId}/credit-balance — the customer's credit, per currency."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CustomerIdPath

from billfold.credits.ledger import CreditBalances, balances
from billfold.customers.service import get_customer

api = Api("get_credit_balance")


@api.route
def get(customerId: CustomerIdPath) -> CreditBalances:
    """Each currency the customer holds credit in (none: an empty list); 404 for no customer."""
    get_customer(deps.table(), customerId)
    return balances(deps.table(), customerId)


handler = api.handler
