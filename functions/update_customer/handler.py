"""PATCH /v1/customers/{customerId} — change a customer, mirroring email and name to Stripe."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CustomerIdPath

from billfold.customers.models import Customer, CustomerUpdate
from billfold.customers.service import update_customer

api = Api("update_customer")


@api.route
def update(customerId: CustomerIdPath, body: CustomerUpdate) -> Customer:
    """The customer after the change."""
    return update_customer(deps.table(), deps.stripe_customers(), customerId, body, deps.clock())


handler = api.handler
