"""GET /v1/customers/{customerId}/credits — the customer's prepaid credit balances."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.pages import Page
from billfold_lambda.params import CustomerIdPath

from billfold.prepaid.models import CreditBalance
from billfold.prepaid.service import credit_balances

api = Api("list_credits")


@api.route
def list_all(customerId: CustomerIdPath) -> Page[CreditBalance]:
    """Every credit type the customer holds, with its grants; 404 for no customer."""
    return Page(items=credit_balances(deps.table(), customerId, deps.clock()), next_cursor=None)


handler = api.handler
