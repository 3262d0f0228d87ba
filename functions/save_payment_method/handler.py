"""POST /v1/customers/{customerId}/payment-methods — keep the card a SetupIntent collected."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CustomerIdPath

from billfold.customers.service import get_customer
from billfold.payments.payment_methods import Cards, SavedCard

api = Api("save_payment_method")


@api.route
def save(customerId: CustomerIdPath, body: SavedCard) -> Cards:
    """The cards after saving, the default first."""
    customer = get_customer(deps.table(), customerId)
    methods = deps.stripe_payment_methods()
    return methods.save(customer.stripe_customer_id, body)


handler = api.handler
