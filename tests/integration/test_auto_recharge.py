"""Auto-recharge against moto and localstripe: each wallet buys its own pack in the same
billing run, a declined charge switches it off, and switched on again it buys anew."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from billfold.catalog.credit_types import CreditTypeCreate, create_credit_type
from billfold.clock import FixedClock
from billfold.customers.models import CustomerCreate
from billfold.customers.service import create_customer, get_customer
from billfold.payments.payment_methods import StripePaymentMethods
from billfold.payments.stripe_customers import StripeCustomers
from billfold.prepaid.ledger import read_wallet
from billfold.prepaid.models import AutoRechargeSettings
from billfold.purchases.auto_recharge import set_auto_recharge
from billfold.settlement.customer import BillingServices, settle_customer
from billfold.storage.table import Table
from billfold.subscriptions.creation import create_subscription
from billfold.subscriptions.models import SubscriptionCreate

T0 = datetime(2031, 5, 3, 10, tzinfo=UTC)
DECLINES_ON_CHARGE = "4000000000000341"


def _credit_type(table: Table, type_id: str) -> str:
    body = {
        "id": type_id,
        "name": type_id,
        "unit": {"singular": "credit", "plural": "credits"},
        "packs": [
            {
                "id": "pack",
                "name": "Pack",
                "credits": 100,
                "prices": [{"currency": "USD", "amount": 500}],
            }
        ],
    }
    return create_credit_type(table, CreditTypeCreate.model_validate(body), FixedClock(T0)).id


@pytest.fixture
def customer(table: Table, stripe_customers: StripeCustomers, uid: str) -> str:
    request = CustomerCreate(id=f"recharge-{uid}", email="r@example.com", name="Recharge")
    customer_id = create_customer(table, stripe_customers, request, FixedClock(T0)).id
    order = SubscriptionCreate.model_validate({"planId": "free", "currency": "USD"})
    create_subscription(table, customer_id, order, FixedClock(T0))
    return customer_id


def _recharging(table: Table, customer: str, credit_type: str) -> None:
    settings = AutoRechargeSettings(threshold=10, pack_id="pack")
    set_auto_recharge(table, customer, credit_type, settings, FixedClock(T0))


def test_two_credit_types_each_buy_their_pack_in_one_run(
    table: Table,
    customer: str,
    uid: str,
    attach_card: Callable[..., str],
    services: BillingServices,
) -> None:
    attach_card(customer)
    first, second = _credit_type(table, f"a-{uid}"), _credit_type(table, f"b-{uid}")
    _recharging(table, customer, first)
    _recharging(table, customer, second)

    done = settle_customer(table, customer, T0 + timedelta(minutes=1), services)

    assert sorted((p.credit_type_id, p.status) for p in done.recharges) == [
        (first, "granted"),
        (second, "granted"),
    ]
    now = T0 + timedelta(minutes=2)
    for credit_type in (first, second):
        wallet = read_wallet(table, customer, credit_type)
        assert wallet.balance(now).balance == 100  # one pack each, from 0
        assert wallet.auto_recharge is not None
        assert (wallet.auto_recharge.purchases_this_month, wallet.auto_recharge.due) == (1, False)


def test_switched_on_again_after_a_decline_it_buys_anew(
    table: Table,
    customer: str,
    uid: str,
    attach_card: Callable[..., str],
    payment_methods: StripePaymentMethods,
    services: BillingServices,
) -> None:
    attach_card(customer, DECLINES_ON_CHARGE)
    credit_type = _credit_type(table, f"c-{uid}")
    _recharging(table, customer, credit_type)

    declined = settle_customer(table, customer, T0 + timedelta(minutes=1), services)
    assert [p.status for p in declined.recharges] == ["failed"]
    off = read_wallet(table, customer, credit_type).auto_recharge
    assert off is not None
    assert (off.enabled, off.disabled_reason is not None) == (False, True)

    working = attach_card(customer)  # the customer adds a working card as the default
    stripe_customer = get_customer(table, customer).stripe_customer_id
    payment_methods.set_default(stripe_customer, working)
    _recharging(table, customer, credit_type)
    bought = settle_customer(table, customer, T0 + timedelta(minutes=2), services)

    assert [p.status for p in bought.recharges] == ["granted"]
    assert [p.id for p in bought.recharges] != [p.id for p in declined.recharges]
    wallet = read_wallet(table, customer, credit_type)
    assert wallet.balance(T0 + timedelta(minutes=3)).balance == 100
