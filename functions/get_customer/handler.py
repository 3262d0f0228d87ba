"""GET /v1/customers/{customerId} — get a customer."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CustomerIdPath

from billfold.customers.models import Customer
from billfold.customers.service import get_customer

api = Api("get_customer")


@api.route
def get(customerId: CustomerIdPath) -> Customer:
    """The customer."""
    return get_customer(deps.table(), customerId)


handler = api.handler
