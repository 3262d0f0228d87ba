"""What handlers need from the outside world, built lazily once per Lambda container.

Only what a handler actually asks for is built (and imported): a catalog read never loads
Stripe or reads a secret. The local gateway swaps the clock for its test clock.
"""

import json
from functools import cache
from typing import TYPE_CHECKING

from billfold.clock import Clock, SystemClock
from billfold.config import Settings
from billfold.storage.table import Table

if TYPE_CHECKING:
    import stripe

    from billfold.payments.payment_methods import StripePaymentMethods
    from billfold.payments.stripe_customers import StripeCustomers

_clock: Clock = SystemClock()


def clock() -> Clock:
    """The process's clock: the system clock in Lambda, the test clock locally."""
    return _clock


def use_clock(replacement: Clock) -> None:
    """Replace the process's clock (the local stack's test clock; tests)."""
    global _clock
    _clock = replacement


@cache
def settings() -> Settings:
    """The deployment's settings, from the environment."""
    return Settings.from_env()


@cache
def table() -> Table:
    """billfold's DynamoDB table."""
    return Table(settings().table_name)


def _secret(secret_id: str | None, what: str) -> str:
    from aws_lambda_powertools.utilities import parameters

    if not secret_id:
        raise RuntimeError(f"{what} is not configured for this function")
    return parameters.get_secret(secret_id, max_age=300)


def stripe_keys() -> dict[str, str]:
    """The Stripe secret: `secretKey` and `publishableKey` (cached for five minutes)."""
    keys: dict[str, str] = json.loads(_secret(settings().stripe_secret_id, "the Stripe secret"))
    return keys


def _stripe() -> "stripe.StripeClient":
    from billfold.payments.stripe_customers import stripe_client

    return stripe_client(stripe_keys()["secretKey"], settings().stripe_api_base)


def stripe_customers() -> "StripeCustomers":
    """Stripe's customer API, with the current secret key."""
    from billfold.payments.stripe_customers import StripeCustomers

    return StripeCustomers(_stripe())


def stripe_payment_methods() -> "StripePaymentMethods":
    """Stripe's payment-method API, with the current secret key."""
    from billfold.payments.payment_methods import StripePaymentMethods

    return StripePaymentMethods(_stripe())


def portal_signing_secret() -> bytes:
    """The secret that signs portal tokens (cached for five minutes)."""
    return _secret(settings().portal_secret_id, "the portal signing secret").encode()
