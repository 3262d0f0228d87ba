"""POST /v1/customers/{customerId}/payment-methods/{paymentMethodId}/default — set the default."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CustomerIdPath, PaymentMethodIdPath

from billfold.customers.service import get_customer
from billfold.payments.payment_methods import Cards

api = Api("set_default_payment_method")


@api.route
def make_default(customerId: CustomerIdPath, paymentMethodId: PaymentMethodIdPath) -> Cards:
    """The cards after the change, the new default first."""
    customer = get_customer(deps.table(), customerId)
    methods = deps.stripe_payment_methods()
    return methods.set_default(customer.stripe_customer_id, paymentMethodId)


handler = api.handler
