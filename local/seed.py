"""Seeding the local stack: the dev keys, the demo catalog (local/pricing.yaml, applied as
`billfold catalog apply` applies it) and the demo customers.

Everything goes through idempotent operations, so seeding twice changes nothing.
"""

import itertools
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from billfold_sdk import Billfold
from billfold_sdk.catalog_sync import apply_changes
from billfold_sdk.pricing_file import load

from billfold_lambda import dependencies as deps

from billfold.auth.api_keys import store_key
from billfold.clock import Clock, FixedClock
from billfold.customers.models import CustomerCreate
from billfold.customers.service import create_customer, get_customer
from billfold.prepaid.models import GrantCreate
from billfold.prepaid.service import grant_credits
from billfold.settlement.customer import settle_customer
from billfold.subscriptions.creation import create_subscription
from billfold.subscriptions.models import SubscriptionCreate
from billfold.subscriptions.reads import get_subscription
from billfold.usage.requests import UsageReport
from billfold.usage.service import report_usage

DEMO_PRICING = Path(__file__).with_name("pricing.yaml")
DEMO_CUSTOMERS = Path(__file__).with_name("demo_customers.json")


DEMO_CUSTOMER = "demo-customer"
"""The demo customer `make dev` opens the portal for."""


def seed_keys(server_key: str, publishable_key: str, clock: Clock) -> None:
    """Make the keys valid: a server key and a publishable key (stored hashed, like any)."""
    store_key(deps.table(), server_key, "local dev key", clock, "server")
    store_key(deps.table(), publishable_key, "local demo pricing page", clock, "publishable")


def seed_demo(api: Billfold, clock: Clock) -> None:
    """Apply the demo catalog through the API, then create the demo customers: demo-customer
    gets a card, a paid subscription started a few months back (with its invoices) and some
    usage, so a new user sees a living account at once."""
    apply_changes(api, load(DEMO_PRICING))
    demo = json.loads(DEMO_CUSTOMERS.read_text())
    table = deps.table()
    stripe = deps.stripe_customers()
    for customer in demo["customers"]:
        create_customer(table, stripe, CustomerCreate.model_validate(customer), clock)
    for subscription in demo["subscriptions"]:
        _subscribe_with_history(subscription, clock)
    for report in demo["usage"]:
        report_usage(table, UsageReport.model_validate(report), clock)
    for grant in demo["creditGrants"]:
        _grant(grant, clock)


def _grant(grant: dict[str, Any], clock: Clock) -> None:
    """A promotional grant of credits expiring `expiresInDays` from now."""
    terms = {k: v for k, v in grant.items() if k not in ("customerId", "expiresInDays")}
    expires = clock.now() + timedelta(days=grant["expiresInDays"])
    request = GrantCreate.model_validate({**terms, "expiresAt": expires})
    grant_credits(deps.table(), grant["customerId"], request, clock)


def attach_test_card(customer_id: str, number: str) -> str:
    """Attach a Stripe test card to the customer in localstripe and make it the default (what
    Stripe.js and a SetupIntent do in the portal); the payment method's id."""
    stripe = deps.stripe_api()
    stripe_customer = get_customer(deps.table(), customer_id).stripe_customer_id
    method = stripe.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    stripe.v1.payment_methods.attach(method.id, params={"customer": stripe_customer})
    deps.stripe_payment_methods().ensure_default(stripe_customer)
    return method.id


def _subscribe_with_history(subscription: dict[str, Any], clock: Clock) -> None:
    """Subscribe `startedDaysAgo` days back and run every billing run since, as the scheduled
    run would have: the customer gets its past invoices, each charged to its card, and the
    usage of each past period in `usageHistory` (one value per period, oldest first)."""
    customer_id = subscription["customerId"]
    attach_test_card(customer_id, subscription["card"])
    started = clock.now() - timedelta(days=subscription["startedDaysAgo"])
    order = SubscriptionCreate.model_validate(subscription["order"])
    create_subscription(deps.table(), customer_id, order, FixedClock(started))
    services = deps.billing_services()
    history: dict[str, list[int]] = subscription.get("usageHistory", {})
    moment = started
    for period in itertools.count():
        if moment > clock.now():
            break
        settle_customer(deps.table(), customer_id, moment, services)
        for feature_id, values in history.items():
            if period < len(values):
                report = UsageReport.model_validate(
                    {
                        "customerId": customer_id,
                        "featureId": feature_id,
                        "value": values[period],
                        "idempotencyKey": f"demo-seed-{feature_id}-period-{period}",
                    }
                )
                report_usage(deps.table(), report, FixedClock(moment + timedelta(days=1)))
        moment = get_subscription(deps.table(), customer_id).current_period_end
