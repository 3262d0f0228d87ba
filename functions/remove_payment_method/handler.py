"""DELETE /v1/customers/{customerId}/payment-methods/{paymentMethodId} — remove a card."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CustomerIdPath, PaymentMethodIdPath

from billfold.customers.cards import remove_card
from billfold.customers.service import get_customer
from billfold.payments.payment_methods import Cards

api = Api("remove_payment_method")


@api.route
def remove(customerId: CustomerIdPath, paymentMethodId: PaymentMethodIdPath) -> Cards:
    """The cards left (another becomes the default if the removed one was)."""
    table = deps.table()
    customer = get_customer(table, customerId)
    methods = deps.stripe_payment_methods()
    return remove_card(table, methods, customer, paymentMethodId, deps.clock().now())


handler = api.handler
