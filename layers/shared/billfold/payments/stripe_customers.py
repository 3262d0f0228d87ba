"""Stripe customers: create, mirror and delete, each call safe to retry."""

import hashlib
import json
import logging

import stripe

from billfold.errors import UpstreamError

logger = logging.getLogger(__name__)


def stripe_client(api_key: str, api_base: str | None = None) -> stripe.StripeClient:
    """A Stripe client; `api_base` points it at a local Stripe (localstripe) instead of Stripe."""
    if api_base:
        return stripe.StripeClient(api_key, base_addresses={"api": api_base}, max_network_retries=2)
    return stripe.StripeClient(api_key, max_network_retries=2)


def upstream_error(action: str, error: stripe.StripeError) -> UpstreamError:
    """What the client hears of a Stripe failure: the action and Stripe's request id, not
    Stripe's own words (those go to the log)."""
    logger.warning("stripe call failed", extra={"action": action, "stripe_error": str(error)})
    request = f" (Stripe request {error.request_id})" if error.request_id else ""
    return UpstreamError(f"Stripe could not {action}{request}; nothing was saved, retry later.")


def _idempotency_key(action: str, customer_id: str, params: dict[str, object]) -> str:
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:24]
    return f"billfold-{action}-{customer_id}-{digest}"


class StripeCustomers:
    """The Stripe calls that keep a Stripe customer in step with a billfold customer."""

    def __init__(self, client: stripe.StripeClient) -> None:
        self._client = client

    def create(self, customer_id: str, email: str, name: str) -> str:
        """Create the Stripe customer; a retry with the same details returns the same one."""
        metadata = {"billfold_customer_id": customer_id}
        key = _idempotency_key(
            "customer-create", customer_id, {"email": email, "name": name, "metadata": metadata}
        )
        try:
            created = self._client.v1.customers.create(
                params={"email": email, "name": name, "metadata": metadata},
                options={"idempotency_key": key},
            )
        except stripe.StripeError as error:
            raise upstream_error("create the customer", error) from error
        return created.id

    def update(self, stripe_customer_id: str, email: str, name: str) -> None:
        """Mirror the customer's email and name to Stripe."""
        try:
            self._client.v1.customers.update(
                stripe_customer_id, params={"email": email, "name": name}
            )
        except stripe.StripeError as error:
            raise upstream_error("update the customer", error) from error

    def delete(self, stripe_customer_id: str) -> None:
        """Delete a Stripe customer that billfold never recorded (it lost a creation race)."""
        try:
            self._client.v1.customers.delete(stripe_customer_id)
        except stripe.StripeError as error:
            raise upstream_error("delete the customer", error) from error
