"""POST /v1/customers — create a customer and its Stripe customer."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api

from billfold.customers.models import Customer, CustomerCreate
from billfold.customers.service import create_customer

api = Api("create_customer")


@api.route
def create(body: CustomerCreate) -> Customer:
    """Create the customer (the same request again returns it)."""
    return create_customer(deps.table(), deps.stripe_customers(), body, deps.clock())


handler = api.handler
