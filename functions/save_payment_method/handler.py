"""POST /v1/customers/{customerId}/payment-methods — keep the card a SetupIntent collected."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CustomerIdPath

from billfold.customers.cards import save_card
from billfold.customers.service import get_customer
from billfold.payments.payment_methods import Cards, SavedCard

api = Api("save_payment_method")


@api.route
def save(customerId: CustomerIdPath, body: SavedCard) -> Cards:
    """The cards after saving, the default first."""
    table = deps.table()
    customer = get_customer(table, customerId)
    return save_card(table, deps.stripe_payment_methods(), customer, body, deps.clock().now())


handler = api.handler
