"""Customers over HTTP, with their Stripe customers in localstripe."""

import pytest
import stripe

from local.stack import STRIPE_SECRET_KEY
from tests.e2e.helpers import assert_error, camel_case_violations, every_item


@pytest.fixture
def stripe_api(local_api) -> stripe.StripeClient:
    return stripe.StripeClient(
        STRIPE_SECRET_KEY, base_addresses={"api": local_api.stack.stripe_url}
    )


def test_customer_create_read_and_stripe_mirror(server, stripe_api, uid):
    body = {
        "id": f"Acme.{uid}",
        "email": f"billing-{uid}@acme.test",
        "name": "Acme Corp",
        "metadata": {"plan_hint": "pro"},
    }

    created = server.post("/v1/customers", json=body)

    assert created.status_code == 201, created.text
    customer = created.json()
    assert camel_case_violations(customer) == []
    assert {k: customer[k] for k in body} == body
    assert customer["stripeCustomerId"].startswith("cus_")
    assert {"createdAt", "updatedAt"} <= set(customer)
    read = server.get(f"/v1/customers/Acme.{uid}")
    assert read.status_code == 200
    assert read.json() == customer
    in_stripe = stripe_api.v1.customers.retrieve(customer["stripeCustomerId"])
    assert (in_stripe.email, in_stripe.name) == (body["email"], "Acme Corp")
    assert in_stripe.metadata["billfold_customer_id"] == f"Acme.{uid}"


def test_customer_patch_mirrors_to_stripe(server, stripe_api, create_customer):
    customer = create_customer()

    patched = server.patch(
        f"/v1/customers/{customer['id']}", json={"name": "Renamed", "metadata": {"a": "b"}}
    )

    assert patched.status_code == 200, patched.text
    assert (patched.json()["name"], patched.json()["metadata"]) == ("Renamed", {"a": "b"})
    assert patched.json()["email"] == customer["email"]
    assert server.get(f"/v1/customers/{customer['id']}").json()["name"] == "Renamed"
    assert stripe_api.v1.customers.retrieve(customer["stripeCustomerId"]).name == "Renamed"


def test_customers_list_newest_first_with_pagination(server, create_customer):
    mine = [create_customer("newest")["id"] for _ in range(4)]

    listed = every_item(server, "/v1/customers", limit=2)

    ids = [c["id"] for c in listed]
    assert len(ids) == len(set(ids))
    assert [i for i in ids if i in mine] == list(reversed(mine))


def test_duplicate_customer_with_other_details_is_a_conflict(server, create_customer):
    customer = create_customer()
    body = {"id": customer["id"], "email": customer["email"], "name": "Someone else"}

    assert_error(server.post("/v1/customers", json=body), 409, "already_exists", "id")
    assert server.get(f"/v1/customers/{customer['id']}").json()["name"] == customer["name"]


def test_repeating_a_customer_create_returns_the_same_customer(server, create_customer):
    customer = create_customer()
    body = {"id": customer["id"], "email": customer["email"], "name": customer["name"]}

    again = server.post("/v1/customers", json=body)

    assert again.json() == customer


def test_unknown_customer_is_not_found(server, uid):
    assert_error(server.get(f"/v1/customers/ghost-{uid}"), 404, "customer_not_found")
    assert_error(
        server.patch(f"/v1/customers/ghost-{uid}", json={"name": "X"}), 404, "customer_not_found"
    )
