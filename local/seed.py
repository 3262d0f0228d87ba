"""Seeding the local stack: the demo catalog, the demo customer and the dev server key.

Everything goes through the domain's own create operations, which are idempotent, so seeding
twice changes nothing.
"""

import json
from pathlib import Path

from billfold.auth.api_keys import store_server_key
from billfold.catalog.addons import create_addon
from billfold.catalog.features import create_feature
from billfold.catalog.models import AddonCreate, FeatureCreate, PlanCreate
from billfold.catalog.plans import create_plan
from billfold.clock import Clock
from billfold.customers.models import CustomerCreate
from billfold.customers.service import create_customer
from billfold.subscriptions.models import SubscriptionCreate
from billfold.subscriptions.service import create_subscription
from billfold.usage.requests import UsageReport
from billfold.usage.service import report_usage
from billfold_lambda import dependencies as deps

DEMO_CATALOG = Path(__file__).with_name("demo_catalog.json")


def seed_server_key(key: str, clock: Clock) -> None:
    """Make `key` a valid server key (stored hashed, like any other)."""
    store_server_key(deps.table(), key, "local dev key", clock)


def seed_demo(clock: Clock, catalog_file: Path = DEMO_CATALOG) -> None:
    """Create the demo catalog and customers; demo-customer gets a paid subscription with
    some usage, so a new user sees a living account at once."""
    demo = json.loads(catalog_file.read_text())
    table = deps.table()
    for feature in demo["features"]:
        create_feature(table, FeatureCreate.model_validate(feature), clock)
    for plan in demo["plans"]:
        create_plan(table, PlanCreate.model_validate(plan), clock)
    for addon in demo["addons"]:
        create_addon(table, AddonCreate.model_validate(addon), clock)
    stripe = deps.stripe_customers()
    for customer in demo["customers"]:
        create_customer(table, stripe, CustomerCreate.model_validate(customer), clock)
    for subscription in demo["subscriptions"]:
        order = SubscriptionCreate.model_validate(subscription["order"])
        create_subscription(table, subscription["customerId"], order, clock)
    for report in demo["usage"]:
        report_usage(table, UsageReport.model_validate(report), clock)
