# ruff: noqa: F811 - the catalog fixture is imported from test_subscription_changes
"""Processing Stripe events against localstripe's real objects: duplicates change nothing, a
late failure never undoes a success, refunds and disputes are recorded, and unknown events are
ignored."""

import time

import pytest
import stripe

from billfold_lambda import dependencies as deps

from billfold.clock import FixedClock
from billfold.customers.models import CustomerCreate
from billfold.customers.service import create_customer
from billfold.errors import Conflict
from billfold.invoicing.collection import collect_invoice
from billfold.invoicing.models import Invoice
from billfold.invoicing.service import get_invoice, list_invoices
from billfold.settlement.customer import settle_customer
from billfold.storage import keys
from billfold.subscriptions.creation import create_subscription
from billfold.subscriptions.models import SubscriptionCreate
from billfold.subscriptions.reads import get_subscription
from billfold.webhooks.dispatch import WebhookContext, process_event
from tests.integration.test_subscription_changes import BASIC, START, catalog  # noqa: F401

DECLINES_ON_CHARGE = "4000000000000341"


def event(kind: str, data: dict) -> dict:
    return {"id": f"evt_{kind}", "type": kind, "data": {"object": data}}


@pytest.fixture
def context(table) -> WebhookContext:
    return WebhookContext(table=table, stripe=deps.stripe_api(), now=START, dunning=(1, 3, 5))


@pytest.fixture
def failed_then_paid(
    table, catalog, stripe_customers, clock, uid, attach_card, payment_methods, stripe_api
):
    """A customer whose first charge failed (intent A) and whose retry succeeded (intent B)."""
    customer = create_customer(
        table,
        stripe_customers,
        CustomerCreate(id=f"hook-{uid}", email=f"hook-{uid}@example.com", name="Hook"),
        clock,
    ).id
    failing = attach_card(customer, DECLINES_ON_CHARGE)
    order = SubscriptionCreate.model_validate({"planId": catalog.basic, "currency": "USD"})
    create_subscription(table, customer, order, FixedClock(START))
    services = deps.billing_services()
    settle_customer(table, customer, START, services)
    [failed] = list_invoices(table, customer, limit=10, cursor=None)[0]
    stripe_customer = table.get(keys.customer(customer))["stripe_customer_id"]
    declined = stripe_api.v1.payment_intents.create(
        params={
            "amount": failed.amount_due,
            "currency": "usd",
            "customer": stripe_customer,
            "payment_method": failing,
            "metadata": {"billfold_invoice_id": failed.id, "billfold_customer_id": customer},
        }
    )
    with pytest.raises(stripe.CardError):
        stripe_api.v1.payment_intents.confirm(declined.id)
    payment_methods.remove(stripe_customer, failing)
    attach_card(customer)
    paid = _collect_fresh(table, services, customer, failed.id)
    assert paid.status == "paid"
    return customer, declined.id, paid


def _collect_fresh(table, services, customer: str, invoice_id: str) -> Invoice:
    """Charge the invoice as read now, reading again when a change won (the local stack's
    webhook worker records Stripe's own events about the declined intent meanwhile)."""
    for _ in range(20):
        current = get_invoice(table, customer, invoice_id, consistent=True)
        try:
            return collect_invoice(
                table, services.charges, current, START, (1, 3, 5), on_request=True
            )
        except Conflict:
            time.sleep(0.1)
    raise AssertionError("the invoice kept changing")


def test_a_late_failure_never_undoes_a_success(table, context, failed_then_paid):
    customer, failed_intent, paid = failed_then_paid

    handled = process_event(context, event("payment_intent.payment_failed", {"id": failed_intent}))

    assert handled
    after = get_invoice(table, customer, paid.id)
    assert (after.status, after.revision) == ("paid", paid.revision)
    assert get_subscription(table, customer).status == "active"


def test_a_duplicate_success_changes_nothing(table, context, failed_then_paid):
    customer, _, paid = failed_then_paid
    succeeded = event("payment_intent.succeeded", {"id": paid.payment.payment_intent_id})

    process_event(context, succeeded)
    process_event(context, succeeded)

    assert get_invoice(table, customer, paid.id).revision == paid.revision


def test_a_refund_is_recorded_from_the_charge_as_stripe_has_it(
    table, context, failed_then_paid, stripe_api
):
    customer, _, paid = failed_then_paid
    intent = stripe_api.v1.payment_intents.retrieve(paid.payment.payment_intent_id)
    stripe_api.v1.refunds.create(params={"payment_intent": intent.id, "amount": 400})
    latest = intent.latest_charge
    charge = latest if isinstance(latest, str) else latest.id

    process_event(context, event("charge.refunded", {"id": charge, "payment_intent": intent.id}))

    after = get_invoice(table, customer, paid.id)
    assert (after.status, after.amount_refunded, after.disputed) == ("paid", 400, False)


def _paid_charge(stripe_api, paid) -> str:
    intent = stripe_api.v1.payment_intents.retrieve(paid.payment.payment_intent_id)
    latest = intent.latest_charge
    return latest if isinstance(latest, str) else latest.id


def test_a_dispute_stripe_does_not_know_is_ignored_whatever_the_event_says(
    table, context, failed_then_paid, stripe_api
):
    customer, _, paid = failed_then_paid
    forged = {"id": "dp_forged", "charge": _paid_charge(stripe_api, paid)}

    assert process_event(context, event("charge.dispute.created", forged))

    assert get_invoice(table, customer, paid.id).disputed is False


def test_a_dispute_is_read_from_stripe_not_from_the_event(
    table, context, failed_then_paid, stripe_api, monkeypatch
):
    customer, _, paid = failed_then_paid
    charge = _paid_charge(stripe_api, paid)
    # localstripe has no disputes API: this one read stands in for Stripe's; the charge, its
    # intent and the invoice are real. The event's body names no charge at all.
    disputes = {"dp_real": stripe.Dispute.construct_from({"id": "dp_real", "charge": charge}, "k")}
    monkeypatch.setattr(
        context.stripe.v1.disputes, "retrieve", lambda dispute_id: disputes[dispute_id]
    )

    assert process_event(context, event("charge.dispute.created", {"id": "dp_real"}))

    assert get_invoice(table, customer, paid.id).disputed is True


def test_an_event_naming_no_object_is_dropped_not_retried(context):
    for data in ({}, {"id": ""}, {"id": 7}, {"charge": "ch_1"}):
        assert not process_event(context, event("charge.dispute.created", data))
    assert not process_event(context, {"id": "evt_x", "type": "charge.refunded", "data": None})


def test_a_success_settles_an_invoice_that_had_failed(
    table, catalog, context, stripe_customers, clock, uid, attach_card, stripe_api
):
    customer = create_customer(
        table,
        stripe_customers,
        CustomerCreate(id=f"late-{uid}", email=f"late-{uid}@example.com", name="Late"),
        clock,
    ).id
    attach_card(customer, DECLINES_ON_CHARGE)
    order = SubscriptionCreate.model_validate({"planId": catalog.basic, "currency": "USD"})
    create_subscription(table, customer, order, FixedClock(START))
    settle_customer(table, customer, START, deps.billing_services())
    [failed] = list_invoices(table, customer, limit=10, cursor=None)[0]
    assert get_subscription(table, customer).status == "past_due"
    # the customer pays another way in Stripe (say, a hosted page): the intent succeeds there
    stripe_customer = table.get(keys.customer(customer))["stripe_customer_id"]
    card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
    method = stripe_api.v1.payment_methods.create(params={"type": "card", "card": card})
    stripe_api.v1.payment_methods.attach(method.id, params={"customer": stripe_customer})
    paid_elsewhere = stripe_api.v1.payment_intents.create(
        params={
            "amount": BASIC,
            "currency": "usd",
            "customer": stripe_customer,
            "payment_method": method.id,
            "confirm": True,
            "metadata": {"billfold_invoice_id": failed.id, "billfold_customer_id": customer},
        }
    )

    process_event(context, event("payment_intent.succeeded", {"id": paid_elsewhere.id}))

    after = get_invoice(table, customer, failed.id)
    assert (after.status, after.amount_paid) == ("paid", BASIC)
    assert get_subscription(table, customer).status == "active"


def test_events_billfold_does_not_handle_are_ignored(context):
    assert not process_event(context, event("invoice.finalized", {"id": "in_123"}))
    assert not process_event(context, {"id": "evt_x", "type": "payment_intent.succeeded"})


def test_an_intent_from_another_integration_is_ignored(context, stripe_api, table, uid):
    other = stripe_api.v1.customers.create(params={"email": f"other-{uid}@example.com"})
    card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
    method = stripe_api.v1.payment_methods.create(params={"type": "card", "card": card})
    stripe_api.v1.payment_methods.attach(method.id, params={"customer": other.id})
    intent = stripe_api.v1.payment_intents.create(
        params={
            "amount": 500,
            "currency": "usd",
            "customer": other.id,
            "payment_method": method.id,
            "confirm": True,
        }
    )

    assert process_event(context, event("payment_intent.succeeded", {"id": intent.id}))
    attached = {"id": method.id, "customer": other.id}
    assert process_event(context, event("payment_method.attached", attached))
