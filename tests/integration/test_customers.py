"""Customers against moto (DynamoDB) and localstripe (Stripe)."""

from datetime import UTC, datetime, timedelta

import boto3
import pytest
import stripe

from billfold.clock import FixedClock
from billfold.customers.models import CustomerCreate, CustomerUpdate
from billfold.customers.service import (
    create_customer,
    get_customer,
    list_customers,
    update_customer,
)
from billfold.errors import Conflict, NotFound, UpstreamError
from billfold.payments.stripe_customers import StripeCustomers
from billfold.storage import keys
from local.servers import free_port
from local.stack import STRIPE_SECRET_KEY


def _request(customer_id: str, **overrides) -> CustomerCreate:
    fields = {
        "id": customer_id,
        "email": f"{customer_id}@example.com",
        "name": "Acme Inc",
        "metadata": {"crm": "42"},
    }
    return CustomerCreate.model_validate({**fields, **overrides})


def _stripe_customers_by_email(stripe_api: stripe.StripeClient, email: str) -> list:
    return list(stripe_api.v1.customers.list(params={"email": email, "limit": 100}).data)


@pytest.fixture(params=["closed port", "invalid key"])
def failing_stripe(request, local_api) -> StripeCustomers:
    """Stripe calls that fail: nothing listens there, or Stripe refuses the key."""
    if request.param == "closed port":
        client = stripe.StripeClient(
            STRIPE_SECRET_KEY,
            base_addresses={"api": f"http://127.0.0.1:{free_port()}"},
            max_network_retries=0,
        )
    else:
        client = stripe.StripeClient(
            "not-a-stripe-key",
            base_addresses={"api": local_api.stack.stripe_url},
            max_network_retries=0,
        )
    return StripeCustomers(client)


def _items_mentioning(table, text: str) -> list[dict]:
    """Every item in the table with `text` in any of its string attributes."""
    client = boto3.client("dynamodb")
    found = []
    for page in client.get_paginator("scan").paginate(TableName=table.name):
        for item in page["Items"]:
            if any(text in str(value) for value in item.values()):
                found.append(item)
    return found


def test_create_makes_a_stripe_customer_and_the_mapping_item(
    table, stripe_customers, stripe_api, clock, uid
):
    customer = create_customer(table, stripe_customers, _request(f"acme-{uid}"), clock)

    in_stripe = stripe_api.v1.customers.retrieve(customer.stripe_customer_id)
    assert in_stripe.email == f"acme-{uid}@example.com"
    assert in_stripe.name == "Acme Inc"
    assert in_stripe.metadata["billfold_customer_id"] == f"acme-{uid}"
    mapping = table.get(keys.stripe_customer(customer.stripe_customer_id), consistent=True)
    assert mapping is not None
    assert mapping["customer_id"] == f"acme-{uid}"
    assert get_customer(table, f"acme-{uid}") == customer
    assert customer.metadata == {"crm": "42"}


def test_creating_the_same_customer_twice_makes_one_stripe_customer(
    table, stripe_customers, stripe_api, clock, uid
):
    first = create_customer(table, stripe_customers, _request(f"acme-{uid}"), clock)
    second = create_customer(table, stripe_customers, _request(f"acme-{uid}"), clock)

    assert second == first
    in_stripe = _stripe_customers_by_email(stripe_api, f"acme-{uid}@example.com")
    assert [c.id for c in in_stripe] == [first.stripe_customer_id]


def test_creating_an_existing_customer_with_other_details_is_a_conflict(
    table, stripe_customers, stripe_api, clock, uid
):
    create_customer(table, stripe_customers, _request(f"acme-{uid}"), clock)

    with pytest.raises(Conflict) as raised:
        create_customer(table, stripe_customers, _request(f"acme-{uid}", name="Other"), clock)

    assert (raised.value.code, raised.value.field) == ("already_exists", "id")
    assert get_customer(table, f"acme-{uid}").name == "Acme Inc"
    assert len(_stripe_customers_by_email(stripe_api, f"acme-{uid}@example.com")) == 1


class _RacingStripe(StripeCustomers):
    """Stripe calls during which another request creates the same customer first."""

    def __init__(self, real: StripeCustomers, rival) -> None:
        self._real = real
        self._rival = rival
        self.created: list[str] = []

    def create(self, customer_id: str, email: str, name: str) -> str:
        self._rival()
        self.created.append(self._real.create(customer_id, email, name))
        return self.created[-1]

    def update(self, stripe_customer_id: str, email: str, name: str) -> None:
        self._real.update(stripe_customer_id, email, name)

    def delete(self, stripe_customer_id: str) -> None:
        self._real.delete(stripe_customer_id)


def test_create_that_loses_a_race_returns_the_winner_and_deletes_its_stripe_customer(
    table, stripe_customers, stripe_api, clock, uid
):
    winner: list = []
    racing = _RacingStripe(
        stripe_customers,
        lambda: winner.append(
            create_customer(table, stripe_customers, _request(f"race-{uid}"), clock)
        ),
    )

    result = create_customer(table, racing, _request(f"race-{uid}"), clock)

    assert result == winner[0]
    assert racing.created[0] != winner[0].stripe_customer_id
    in_stripe = _stripe_customers_by_email(stripe_api, f"race-{uid}@example.com")
    assert [c.id for c in in_stripe] == [winner[0].stripe_customer_id]
    assert table.get(keys.stripe_customer(racing.created[0]), consistent=True) is None
    assert get_customer(table, f"race-{uid}", consistent=True) == winner[0]


def test_update_mirrors_email_and_name_to_stripe(table, stripe_customers, stripe_api, clock, uid):
    created = create_customer(table, stripe_customers, _request(f"acme-{uid}"), clock)

    updated = update_customer(
        table,
        stripe_customers,
        f"acme-{uid}",
        CustomerUpdate(email=f"billing-{uid}@example.org", name="Acme GmbH"),
        clock,
    )

    assert (updated.email, updated.name) == (f"billing-{uid}@example.org", "Acme GmbH")
    assert updated.metadata == {"crm": "42"}
    in_stripe = stripe_api.v1.customers.retrieve(created.stripe_customer_id)
    assert (in_stripe.email, in_stripe.name) == (f"billing-{uid}@example.org", "Acme GmbH")
    stored = get_customer(table, f"acme-{uid}", consistent=True)
    assert stored.email == f"billing-{uid}@example.org"
    assert stored.updated_at >= created.updated_at


def test_update_of_metadata_only_leaves_stripe_alone(
    table, stripe_customers, failing_stripe, clock, uid
):
    create_customer(table, stripe_customers, _request(f"acme-{uid}"), clock)

    updated = update_customer(
        table, failing_stripe, f"acme-{uid}", CustomerUpdate(metadata={"crm": "43"}), clock
    )

    assert updated.metadata == {"crm": "43"}
    assert get_customer(table, f"acme-{uid}", consistent=True).metadata == {"crm": "43"}


def test_stripe_failure_on_create_writes_nothing(table, failing_stripe, clock, uid):
    with pytest.raises(UpstreamError):
        create_customer(table, failing_stripe, _request(f"down-{uid}"), clock)

    with pytest.raises(NotFound):
        get_customer(table, f"down-{uid}", consistent=True)
    assert _items_mentioning(table, f"down-{uid}") == []


def test_stripe_failure_on_update_changes_nothing(
    table, stripe_customers, stripe_api, failing_stripe, clock, uid
):
    created = create_customer(table, stripe_customers, _request(f"acme-{uid}"), clock)

    with pytest.raises(UpstreamError):
        update_customer(table, failing_stripe, f"acme-{uid}", CustomerUpdate(name="New"), clock)

    assert get_customer(table, f"acme-{uid}", consistent=True) == created
    assert stripe_api.v1.customers.retrieve(created.stripe_customer_id).name == "Acme Inc"


def _every_customer(table, limit: int) -> list:
    customers: list = []
    cursor = None
    while True:
        items, cursor = list_customers(table, limit=limit, cursor=cursor)
        assert len(items) <= limit
        customers += items
        if cursor is None:
            return customers


def test_customers_list_newest_first_across_pages(table, stripe_customers, uid):
    start = datetime(2001, 2, 3, 4, 5, 6, 123456, tzinfo=UTC)
    mine = [f"order-{uid}-{n}" for n in range(5)]
    for n, customer_id in enumerate(mine):
        clock = FixedClock(start + timedelta(minutes=n))
        create_customer(table, stripe_customers, _request(customer_id), clock)

    listed = _every_customer(table, limit=2)

    ids = [c.id for c in listed]
    assert len(ids) == len(set(ids))
    assert [i for i in ids if i in mine] == list(reversed(mine))


def test_customers_created_within_one_second_list_newest_first(table, stripe_customers, uid):
    whole_second = datetime(2001, 3, 4, 5, 6, 7, tzinfo=UTC)
    older, newer = f"sec-{uid}-older", f"sec-{uid}-newer"
    create_customer(table, stripe_customers, _request(older), FixedClock(whole_second))
    create_customer(
        table,
        stripe_customers,
        _request(newer),
        FixedClock(whole_second + timedelta(milliseconds=500)),
    )

    ids = [c.id for c in _every_customer(table, limit=100)]

    assert [i for i in ids if i in (older, newer)] == [newer, older]
