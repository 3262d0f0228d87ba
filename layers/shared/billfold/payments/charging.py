"""Charging an invoice through Stripe: one off-session PaymentIntent per attempt.

The PaymentIntent's idempotency key is derived from the invoice and the attempt number, so a
retried call (a timeout, a redelivered message) never charges twice; its metadata names the
billfold invoice and customer, so webhooks find their way back.
"""

from typing import TYPE_CHECKING, Any

import stripe

from billfold.payments.charges import ChargeOutcome, ChargeRequest
from billfold.payments.payment_methods import StripePaymentMethods
from billfold.payments.stripe_customers import upstream_error

if TYPE_CHECKING:
    from stripe.params import PaymentIntentCreateParams


def outcome_of(intent: stripe.PaymentIntent) -> ChargeOutcome:
    """A PaymentIntent's state as a charge outcome (also used for webhook payloads)."""
    if intent.status == "succeeded":
        return ChargeOutcome("succeeded", intent.id)
    if intent.status == "requires_action":
        next_action: dict[str, Any] = intent.to_dict().get("next_action") or {}
        redirect = next_action.get("redirect_to_url") or {}
        return ChargeOutcome(
            "requires_action",
            intent.id,
            failure_code="authentication_required",
            failure_message="The card needs the customer to confirm this payment.",
            next_action_url=redirect.get("url"),
        )
    if intent.status in ("processing", "requires_capture"):
        return ChargeOutcome("processing", intent.id)
    error = intent.last_payment_error
    return ChargeOutcome(
        "failed",
        intent.id,
        failure_code=(error.code if error else None) or "payment_failed",
        failure_message=(error.message if error else None) or "The payment failed.",
    )


class StripeCharges:
    """Charges invoices to the customer's default card."""

    def __init__(self, client: stripe.StripeClient) -> None:
        self._client = client
        self._cards = StripePaymentMethods(client)

    def charge(self, request: ChargeRequest) -> ChargeOutcome:
        """Charge the amount to the default card, off-session. A decline is an outcome; Stripe
        being unreachable is an UpstreamError (nothing changed: try again later)."""
        card = self._cards.default_card(request.stripe_customer_id)
        if card is None:
            return ChargeOutcome(
                "failed",
                failure_code="no_payment_method",
                failure_message="The customer has no card to charge.",
            )
        params: PaymentIntentCreateParams = {
            "amount": request.amount,
            "currency": request.currency.lower(),
            "customer": request.stripe_customer_id,
            "payment_method": card,
            "off_session": True,
            "confirm": True,
            "metadata": {
                "billfold_invoice_id": request.invoice_id,
                "billfold_customer_id": request.customer_id,
            },
        }
        key = f"billfold-invoice-{request.invoice_id}-attempt-{request.attempt}"
        try:
            intent = self._client.v1.payment_intents.create(
                params=params, options={"idempotency_key": key}
            )
        except stripe.CardError as declined:
            error = declined.error
            return ChargeOutcome(
                "failed",
                error.payment_intent.id if error and error.payment_intent else None,
                failure_code=declined.code or "card_declined",
                failure_message=declined.user_message or "The card was declined.",
            )
        except stripe.StripeError as error:
            raise upstream_error("charge the invoice", error) from error
        return outcome_of(intent)

    def authorize(
        self, stripe_customer_id: str, payment_method_id: str, amount: int, currency: str, key: str
    ) -> ChargeOutcome:
        """Whether the bank takes a charge of `amount` on the card: a hold, released at once
        (a manual-capture PaymentIntent, then canceled). A decline is a failed outcome; a bank
        that wants the customer to authenticate is not one (each charge then asks for it).
        The hold is off-session, like the charges it stands for."""
        params: PaymentIntentCreateParams = {
            "amount": amount,
            "currency": currency.lower(),
            "customer": stripe_customer_id,
            "payment_method": payment_method_id,
            "capture_method": "manual",
            "off_session": True,
            "confirm": True,
        }
        try:
            intent = self._client.v1.payment_intents.create(
                params=params, options={"idempotency_key": key}
            )
        except stripe.CardError as declined:
            if declined.code == "authentication_required":
                return ChargeOutcome("requires_action")  # the bank asks at each charge
            return ChargeOutcome(
                "failed",
                failure_code=declined.code or "card_declined",
                failure_message=declined.user_message or "The card was declined.",
            )
        except stripe.StripeError as error:
            raise upstream_error("check the card", error) from error
        if intent.status in ("requires_capture", "requires_action"):
            self._release(intent.id)
            return ChargeOutcome("succeeded", intent.id)
        return outcome_of(intent)

    def _release(self, payment_intent_id: str) -> None:
        """Cancel a hold; one already canceled (a retried check replays its creation) is done."""
        try:
            self._client.v1.payment_intents.cancel(payment_intent_id)
        except stripe.InvalidRequestError as error:
            if self._client.v1.payment_intents.retrieve(payment_intent_id).status != "canceled":
                raise upstream_error("release the hold", error) from error
        except stripe.StripeError as error:
            raise upstream_error("release the hold", error) from error
