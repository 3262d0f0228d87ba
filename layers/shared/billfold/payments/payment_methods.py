"""A customer's cards in Stripe: add (SetupIntent), list, make default, remove.

billfold stores no card data: every answer comes from Stripe. A card attached while the
customer has no default becomes the default (`ensure_default`), so the next invoice charges it.
"""

from typing import Annotated

import stripe
from pydantic import StringConstraints

from billfold.errors import ErrorCode, NotFound, RuleViolation
from billfold.models import ApiModel, RequestModel
from billfold.payments.stripe_customers import upstream_error


class Card(ApiModel):
    """A card as the portal shows it."""

    id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    is_default: bool


class Cards(ApiModel):
    """A customer's cards, the default first."""

    items: list[Card]


class SetupIntentSecret(ApiModel):
    """What Stripe.js needs to collect a card: the SetupIntent's client secret and the
    publishable key."""

    client_secret: str
    publishable_key: str


class SavedCard(RequestModel):
    """The SetupIntent that Stripe.js confirmed in the browser, and whether its card becomes
    the default."""

    setup_intent_id: Annotated[str, StringConstraints(pattern=r"^seti_[A-Za-z0-9]{1,64}$")]
    make_default: bool = True


class StripePaymentMethods:
    """The Stripe calls about a customer's cards."""

    def __init__(self, client: stripe.StripeClient) -> None:
        self._client = client

    def _cards(self, stripe_customer_id: str, limit: int) -> list[stripe.PaymentMethod]:
        try:
            page = self._client.v1.payment_methods.list(
                params={"customer": stripe_customer_id, "type": "card", "limit": limit}
            )
        except stripe.StripeError as error:
            raise upstream_error("list the customer's cards", error) from error
        return list(page.data)

    def has_card(self, stripe_customer_id: str) -> bool:
        """Whether the Stripe customer has at least one card attached."""
        return bool(self._cards(stripe_customer_id, 1))

    def _default_setting(self, stripe_customer_id: str) -> str | None:
        try:
            customer = self._client.v1.customers.retrieve(stripe_customer_id)
        except stripe.StripeError as error:
            raise upstream_error("read the customer", error) from error
        settings = customer.invoice_settings
        default = settings.default_payment_method if settings else None
        if not default:
            return None
        return default if isinstance(default, str) else default.id

    def default_card(self, stripe_customer_id: str) -> str | None:
        """The card invoices charge: the customer's default while it is attached, else its
        first card, else None."""
        cards = [card.id for card in self._cards(stripe_customer_id, 100)]
        default = self._default_setting(stripe_customer_id)
        if default in cards:
            return default
        return cards[0] if cards else None

    def cards(self, stripe_customer_id: str) -> Cards:
        """The customer's cards, the default first."""
        default = self.default_card(stripe_customer_id)
        cards = [
            Card(
                id=method.id,
                brand=str(method.card.brand) if method.card else "card",
                last4=str(method.card.last4) if method.card else "",
                exp_month=int(method.card.exp_month) if method.card else 0,
                exp_year=int(method.card.exp_year) if method.card else 0,
                is_default=method.id == default,
            )
            for method in self._cards(stripe_customer_id, 100)
        ]
        return Cards(items=sorted(cards, key=lambda card: not card.is_default))

    def setup_intent(self, stripe_customer_id: str, publishable_key: str) -> SetupIntentSecret:
        """Start adding a card: a SetupIntent for off-session use, confirmed by Stripe.js."""
        try:
            intent = self._client.v1.setup_intents.create(
                params={"customer": stripe_customer_id, "usage": "off_session"}
            )
        except stripe.StripeError as error:
            raise upstream_error("start adding a card", error) from error
        return SetupIntentSecret(
            client_secret=str(intent.client_secret), publishable_key=publishable_key
        )

    def save(self, stripe_customer_id: str, request: SavedCard) -> tuple[Cards, str]:
        """Keep the card a SetupIntent of this customer collected: attach it (Stripe does so
        itself when the intent names the customer; attaching again is a no-op) and make it the
        default if asked; the cards after, and the id of the one saved. Another customer's
        intent is NotFound; an unconfirmed one is refused.
        """
        method_id = self.confirmed_card(stripe_customer_id, request.setup_intent_id)
        try:
            if self._client.v1.payment_methods.retrieve(method_id).customer is None:
                self._client.v1.payment_methods.attach(
                    method_id, params={"customer": stripe_customer_id}
                )
        except stripe.StripeError as error:
            raise upstream_error("attach the card", error) from error
        if request.make_default:
            return self.set_default(stripe_customer_id, method_id), method_id
        self.ensure_default(stripe_customer_id)
        return self.cards(stripe_customer_id), method_id

    def confirmed_card(self, stripe_customer_id: str, setup_intent_id: str) -> str:
        """The card a confirmed SetupIntent of this customer collected. Another customer's
        intent is NotFound; an unconfirmed one is refused."""
        try:
            intent = self._client.v1.setup_intents.retrieve(setup_intent_id)
        except stripe.InvalidRequestError:
            intent = None
        except stripe.StripeError as error:
            raise upstream_error("read the SetupIntent", error) from error
        if intent is None or intent.customer != stripe_customer_id:
            raise NotFound(
                f"setup intent '{setup_intent_id}' is not one of the customer's",
                code=ErrorCode.SETUP_INTENT_NOT_FOUND,
                field="setupIntentId",
            )
        method = intent.payment_method
        method_id = method if isinstance(method, str) or method is None else method.id
        if intent.status != "succeeded" or method_id is None:
            raise RuleViolation(
                f"the card was not saved: the setup intent is {intent.status}",
                code=ErrorCode.SETUP_INTENT_NOT_SUCCEEDED,
                field="setupIntentId",
            )
        return method_id

    def discard(self, payment_method_id: str) -> None:
        """Detach a card billfold never kept (one declined at checkout)."""
        try:
            self._client.v1.payment_methods.detach(payment_method_id)
        except stripe.StripeError as error:
            raise upstream_error("discard the card", error) from error

    def _owned(self, stripe_customer_id: str, payment_method_id: str) -> None:
        if not any(card.id == payment_method_id for card in self._cards(stripe_customer_id, 100)):
            raise NotFound(
                f"payment method '{payment_method_id}' is not one of the customer's cards",
                code=ErrorCode.PAYMENT_METHOD_NOT_FOUND,
            )

    def set_default(self, stripe_customer_id: str, payment_method_id: str) -> Cards:
        """Make one of the customer's cards the one invoices charge."""
        self._owned(stripe_customer_id, payment_method_id)
        try:
            self._client.v1.customers.update(
                stripe_customer_id,
                params={"invoice_settings": {"default_payment_method": payment_method_id}},
            )
        except stripe.StripeError as error:
            raise upstream_error("set the default card", error) from error
        return self.cards(stripe_customer_id)

    def ensure_default(self, stripe_customer_id: str) -> None:
        """Make the first card the default when no attached card is (idempotent)."""
        cards = [card.id for card in self._cards(stripe_customer_id, 100)]
        if cards and self._default_setting(stripe_customer_id) not in cards:
            self.set_default(stripe_customer_id, cards[0])

    def remove(self, stripe_customer_id: str, payment_method_id: str) -> Cards:
        """Detach one of the customer's cards; if it was the default, the next card becomes it."""
        self._owned(stripe_customer_id, payment_method_id)
        try:
            self._client.v1.payment_methods.detach(payment_method_id)
        except stripe.StripeError as error:
            raise upstream_error("remove the card", error) from error
        self.ensure_default(stripe_customer_id)
        return self.cards(stripe_customer_id)
