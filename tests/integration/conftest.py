"""Integration fixtures: the domain functions against the real moto server and localstripe.

The session's `local_api` fixture (tests/conftest.py) starts moto and localstripe and points
`billfold_lambda.dependencies` at them; these fixtures hand the pieces to the tests.
"""

import uuid
from collections.abc import Callable

import pytest
import stripe

from billfold_lambda import dependencies as deps

from billfold.catalog.features import create_feature
from billfold.catalog.models import Feature, FeatureCreate
from billfold.clock import Clock
from billfold.payments.payment_methods import StripePaymentMethods
from billfold.payments.stripe_customers import StripeCustomers
from billfold.settlement.customer import BillingServices
from billfold.storage.table import Table
from local.dev import LocalApi
from local.seed import attach_test_card
from local.stack import STRIPE_SECRET_KEY


@pytest.fixture
def table(local_api: LocalApi) -> Table:
    """billfold's table in the local moto server."""
    return deps.table()


@pytest.fixture
def clock(local_api: LocalApi) -> Clock:
    """The local stack's test clock."""
    return deps.clock()


@pytest.fixture
def stripe_customers(local_api: LocalApi) -> StripeCustomers:
    """billfold's Stripe customer calls, pointed at localstripe with the stack's secret."""
    return deps.stripe_customers()


@pytest.fixture
def stripe_api(local_api: LocalApi) -> stripe.StripeClient:
    """A plain Stripe client on localstripe, to check what billfold did there."""
    return stripe.StripeClient(
        STRIPE_SECRET_KEY, base_addresses={"api": local_api.stack.stripe_url}
    )


@pytest.fixture
def uid() -> str:
    """A short unique suffix: the stack is shared by every test of the session."""
    return uuid.uuid4().hex[:10]


@pytest.fixture
def make_feature(table: Table, clock: Clock) -> Callable[..., Feature]:
    """Create a feature with a unique id: make_feature("metered") etc."""

    def make(feature_type: str = "boolean", prefix: str = "feat") -> Feature:
        unit = None if feature_type == "boolean" else {"singular": "unit", "plural": "units"}
        request = FeatureCreate.model_validate(
            {
                "id": f"{prefix}-{uuid.uuid4().hex[:10]}",
                "name": f"{feature_type} feature",
                "type": feature_type,
                "unit": unit,
            }
        )
        return create_feature(table, request, clock)

    return make


@pytest.fixture
def services(local_api: LocalApi) -> BillingServices:
    """The billing run's Stripe, invoice bucket, seller and dunning, on the local stack."""
    return deps.billing_services()


@pytest.fixture
def payment_methods(local_api: LocalApi) -> StripePaymentMethods:
    """billfold's Stripe payment-method calls, pointed at localstripe."""
    return deps.stripe_payment_methods()


@pytest.fixture
def attach_card(local_api: LocalApi) -> Callable[..., str]:
    """Attach a test card (default 4242…, which works) to a billfold customer in localstripe,
    as Stripe.js would; the payment method's id."""

    def attach(customer_id: str, number: str = "4242424242424242") -> str:
        return attach_test_card(customer_id, number)

    return attach
