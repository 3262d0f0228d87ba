"""GET /v1/customers/{customerId}/payment-methods — the customer's cards."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CustomerIdPath

from billfold.customers.service import get_customer
from billfold.payments.payment_methods import Cards

api = Api("list_payment_methods")


@api.route
def list_cards(customerId: CustomerIdPath) -> Cards:
    """The cards, the default first."""
    customer = get_customer(deps.table(), customerId)
    return deps.stripe_payment_methods().cards(customer.stripe_customer_id)


handler = api.handler
