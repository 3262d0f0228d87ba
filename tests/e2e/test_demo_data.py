"""The demo catalog (local/pricing.yaml, applied through the API) and customer the local stack
seeds, as `make dev` serves them."""

import pytest
import stripe
import yaml

from local.seed import DEMO_PRICING
from local.stack import STRIPE_SECRET_KEY
from tests.e2e.helpers import every_item

DEMO = yaml.safe_load(DEMO_PRICING.read_text())


def test_demo_customer_exists_with_a_stripe_customer(server, local_api):
    response = server.get("/v1/customers/demo-customer")

    assert response.status_code == 200
    customer = response.json()
    assert customer["email"] == "demo@example.com"
    assert customer["stripeCustomerId"].startswith("cus_")
    client = stripe.StripeClient(
        STRIPE_SECRET_KEY, base_addresses={"api": local_api.stack.stripe_url}
    )
    in_stripe = client.v1.customers.retrieve(customer["stripeCustomerId"])
    assert in_stripe.metadata["billfold_customer_id"] == "demo-customer"


def test_demo_plans_and_addons_are_listed(server):
    plans = {p["id"]: p for p in every_item(server, "/v1/plans")}
    addons = {a["id"]: a for a in every_item(server, "/v1/addons")}

    assert {"free", "starter", "pro"} <= set(plans)
    assert {p["id"] for p in DEMO["plans"]} <= set(plans)
    assert {a["id"] for a in DEMO["addons"]} <= set(addons)
    assert addons["extra-seats"]["planIds"] == ["starter", "pro"]
    starter_prices = {
        (p["billingPeriod"], p["currency"]): p["amount"] for p in plans["starter"]["prices"]
    }
    assert starter_prices[("monthly", "USD")] == 1900


@pytest.mark.parametrize("feature", DEMO["features"], ids=lambda f: f["id"])
def test_demo_features_exist(server, feature):
    response = server.get(f"/v1/features/{feature['id']}")

    assert response.status_code == 200
    assert (response.json()["name"], response.json()["type"]) == (feature["name"], feature["type"])


def test_pro_inherits_starters_features_and_overrides_its_own(server):
    starter = server.get("/v1/plans/starter").json()
    pro = server.get("/v1/plans/pro").json()

    effective = {e["featureId"]: e for e in pro["effectiveEntitlements"]}
    assert pro["parentPlanId"] == "starter"
    assert {e["featureId"] for e in starter["effectiveEntitlements"]} <= set(effective)
    assert "sso" in effective
    assert effective["api-calls"]["limit"] == 500000
    assert effective["api-calls"]["enforcement"] == "soft"
    assert effective["projects"]["unlimited"] is True
