"""POST /v1/customers/{customerId}/payment-methods/setup-intent — start adding a card."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CustomerIdPath

from billfold.customers.service import get_customer
from billfold.payments.payment_methods import SetupIntentSecret

api = Api("create_setup_intent")


@api.route
def setup_intent(customerId: CustomerIdPath) -> SetupIntentSecret:
    """`{clientSecret, publishableKey}` for Stripe.js to confirm the card."""
    customer = get_customer(deps.table(), customerId)
    publishable = deps.stripe_keys()["publishableKey"]
    return deps.stripe_payment_methods().setup_intent(customer.stripe_customer_id, publishable)


handler = api.handler
