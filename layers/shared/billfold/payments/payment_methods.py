"""A customer's payment methods in Stripe (billfold stores no card data)."""

import stripe

from billfold.payments.stripe_customers import upstream_error


class StripePaymentMethods:
    """The Stripe calls about a customer's cards."""

    def __init__(self, client: stripe.StripeClient) -> None:
        self._client = client

    def has_card(self, stripe_customer_id: str) -> bool:
        """Whether the Stripe customer has at least one card attached."""
        try:
            cards = self._client.v1.payment_methods.list(
                params={"customer": stripe_customer_id, "type": "card", "limit": 1}
            )
        except stripe.StripeError as error:
            raise upstream_error("list the customer's cards", error) from error
        return bool(cards.data)
