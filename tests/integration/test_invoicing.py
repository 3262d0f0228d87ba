# ruff: noqa: F811 - the catalog fixture is imported from test_subscription_changes
"""Invoices and payments against moto's server and localstripe: billing records become numbered
invoices, charged to the customer's card through Stripe's real API (localstripe), with dunning.

Test cards (localstripe follows Stripe's): 4242… charges; 4000 0000 0000 0341 attaches and then
fails every charge; 4000 0000 0000 0002 is declined when attached.
"""

import re
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import stripe

from billfold_lambda import dependencies as deps

from billfold.catalog.coupons import CouponCreate, create_coupon
from billfold.catalog.models import PlanCreate
from billfold.catalog.plans import create_plan
from billfold.clock import FixedClock
from billfold.credits.ledger import balance_of
from billfold.customers.models import CustomerCreate
from billfold.customers.service import create_customer, get_customer
from billfold.errors import Conflict
from billfold.invoicing.collection import collect_invoice
from billfold.invoicing.issuing import invoice_pending
from billfold.invoicing.models import Party
from billfold.invoicing.service import get_invoice, list_invoices, void_invoice
from billfold.settlement.customer import settle_customer
from billfold.storage import keys
from billfold.subscriptions.creation import create_subscription
from billfold.subscriptions.models import SubscriptionChange, SubscriptionCreate
from billfold.subscriptions.plan_change import change_subscription
from billfold.subscriptions.reads import get_subscription
from billfold.usage.requests import UsageReport
from billfold.usage.service import report_usage
from tests.integration.test_subscription_changes import (  # the module's catalog
    BASIC,
    DAY_10,
    MARCH_END,
    PRO,
    START,
    catalog,  # noqa: F401 - a fixture
    share,
)

SELLER = Party(name="Seller Inc.", email="billing@seller.example")
DECLINES_ON_CHARGE = "4000000000000341"
DECLINED = "4000000000000002"
NEEDS_AUTHENTICATION = "4000002760003184"


@pytest.fixture
def customer_id(table, stripe_customers, clock, uid) -> str:
    request = CustomerCreate(id=f"inv-{uid}", email=f"inv-{uid}@example.com", name="Invoice Co")
    return create_customer(table, stripe_customers, request, clock).id


def subscribe(table, customer_id, plan_id, at=START, **fields):
    order = SubscriptionCreate.model_validate({"planId": plan_id, "currency": "USD", **fields})
    return create_subscription(table, customer_id, order, FixedClock(at))


def invoices(table, customer_id):
    return list(reversed(list_invoices(table, customer_id, limit=100, cursor=None)[0]))


def test_a_paid_subscription_is_invoiced_and_charged_to_the_card(
    table, catalog, customer_id, attach_card, services, stripe_api
):
    attach_card(customer_id)
    subscribe(table, customer_id, catalog.basic)

    done = settle_customer(table, customer_id, START, services)

    [invoice] = invoices(table, customer_id)
    assert [i.id for i in done.invoices] == [invoice.id]
    assert re.fullmatch(r"INV-\d{6,}", invoice.number)
    assert (invoice.status, invoice.total, invoice.amount_due, invoice.amount_paid) == (
        "paid",
        BASIC,
        BASIC,
        BASIC,
    )
    assert invoice.payment.status == "succeeded"
    intent = stripe_api.v1.payment_intents.retrieve(invoice.payment.payment_intent_id)
    assert (intent.amount, intent.currency, intent.status) == (BASIC, "usd", "succeeded")
    assert intent.metadata["billfold_invoice_id"] == invoice.id
    again = settle_customer(table, customer_id, START, services)
    assert (again.invoices, again.charged) == ([], [])


def test_invoice_documents_are_stored_as_json_and_pdf(
    table, catalog, customer_id, attach_card, services
):
    attach_card(customer_id)
    subscribe(table, customer_id, catalog.basic)
    settle_customer(table, customer_id, START, services)
    [invoice] = invoices(table, customer_id)

    documents = services.documents
    stored = documents.s3.get_object(
        Bucket=documents.bucket, Key=f"invoices/{customer_id}/{invoice.id}.json"
    )
    assert b'"number":"' + invoice.number.encode() in stored["Body"].read()
    pdf = documents.s3.get_object(
        Bucket=documents.bucket, Key=f"invoices/{customer_id}/{invoice.id}-paid.pdf"
    )
    assert pdf["Body"].read().startswith(b"%PDF")
    link = documents.pdf_link(invoice, START)
    assert "X-Amz-Signature" in link.url
    assert link.expires_at == START + timedelta(minutes=5)


def test_invoice_numbers_have_no_gaps_or_duplicates_under_concurrent_billing(
    table, catalog, stripe_customers, clock
):
    customers = []
    for _ in range(6):
        u = uuid.uuid4().hex[:10]
        request = CustomerCreate(id=f"num-{u}", email=f"num-{u}@example.com", name="N")
        customers.append(create_customer(table, stripe_customers, request, clock).id)
        subscribe(table, customers[-1], catalog.basic)
    issued: list[str] = []
    barrier = threading.Barrier(len(customers))

    def bill(customer: str) -> None:
        barrier.wait()
        issued.extend(i.number for i in invoice_pending(table, customer, SELLER))

    threads = [threading.Thread(target=bill, args=(c,)) for c in customers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    numbers = sorted(int(n.removeprefix("INV-")) for n in issued)
    assert len(numbers) == len(customers)
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    last = table.get(keys.INVOICE_NUMBER_COUNTER, consistent=True)
    assert last is not None
    assert int(last["last"]) >= numbers[-1]


def test_a_failing_card_puts_the_subscription_past_due_and_dunning_retries_then_ends_it(
    table, catalog, customer_id, attach_card, services
):
    attach_card(customer_id, DECLINES_ON_CHARGE)
    subscribe(table, customer_id, catalog.basic)

    settle_customer(table, customer_id, START, services)
    [invoice] = invoices(table, customer_id)
    assert (invoice.status, invoice.payment.status, invoice.payment.attempts) == (
        "open",
        "failed",
        1,
    )
    assert invoice.payment.failure_code
    assert invoice.payment.next_attempt_at == START + timedelta(days=1)
    assert get_subscription(table, customer_id).status == "past_due"

    moments = [START + timedelta(days=d) for d in (1, 1 + 3, 1 + 3 + 5)]
    for attempt, moment in enumerate(moments, start=2):
        settle_customer(table, customer_id, moment, services)
        retried = get_invoice(table, customer_id, invoice.id)
        assert retried.payment.attempts == attempt

    given_up = get_invoice(table, customer_id, invoice.id)
    assert (given_up.status, given_up.payment.next_attempt_at) == ("uncollectible", None)
    moved = get_subscription(table, customer_id)
    assert (moved.status, moved.plan_id) == ("active", catalog.free)  # basic's fallback


def test_paying_after_fixing_the_card_settles_the_invoice_and_the_subscription(
    table, catalog, customer_id, attach_card, services, payment_methods
):
    failing = attach_card(customer_id, DECLINES_ON_CHARGE)
    subscribe(table, customer_id, catalog.basic)
    settle_customer(table, customer_id, START, services)
    [invoice] = invoices(table, customer_id)

    stripe_customer = deps.table().get(keys.customer(customer_id))["stripe_customer_id"]
    payment_methods.remove(stripe_customer, failing)
    attach_card(customer_id)

    paid = collect_invoice(
        table, services.charges, invoice, START, services.dunning, on_request=True
    )

    assert (paid.status, paid.amount_paid, paid.payment.attempts) == ("paid", BASIC, 2)
    assert get_subscription(table, customer_id).status == "active"


def test_a_declined_card_is_refused_when_added(customer_id, attach_card, payment_methods, table):
    with pytest.raises(stripe.CardError):
        attach_card(customer_id, DECLINED)

    stripe_customer = table.get(keys.customer(customer_id))["stripe_customer_id"]
    assert payment_methods.cards(stripe_customer).items == []


def test_an_upgrade_is_invoiced_for_exactly_its_proration(
    table, catalog, customer_id, attach_card, services
):
    attach_card(customer_id)
    subscribe(table, customer_id, catalog.basic)
    settle_customer(table, customer_id, START, services)
    change = SubscriptionChange(plan_id=catalog.pro)

    result = change_subscription(table, customer_id, change, FixedClock(DAY_10))
    settle_customer(table, customer_id, DAY_10, services)

    latest = invoices(table, customer_id)[-1]
    assert latest.reason == "change"
    assert [(line.kind, line.amount) for line in latest.lines] == [
        (line.kind, line.amount) for line in result.change.lines
    ]
    assert latest.total == share(PRO) - share(BASIC) == result.change.due_now
    assert latest.status == "paid"


def _downgraded_with_credit(table, catalog, customer_id, attach_card, services) -> None:
    """Subscribe to flex (it downgrades at once) and downgrade on day 10: 678 of credit."""
    attach_card(customer_id)
    subscribe(table, customer_id, catalog.flex)
    settle_customer(table, customer_id, START, services)
    change_subscription(
        table, customer_id, SubscriptionChange(plan_id=catalog.basic), FixedClock(DAY_10)
    )
    settle_customer(table, customer_id, DAY_10, services)


def test_a_downgrade_credit_is_carried_to_the_next_invoice(
    table, catalog, customer_id, attach_card, services
):
    _downgraded_with_credit(table, catalog, customer_id, attach_card, services)
    credit = invoices(table, customer_id)[-1]
    assert (credit.total, credit.amount_due, credit.status) == (-678, 0, "paid")
    assert credit.credit_added == 678

    settle_customer(table, customer_id, MARCH_END, services)

    renewal = invoices(table, customer_id)[-1]
    assert renewal.reason == "renewal"
    assert (renewal.total, renewal.credit_applied, renewal.amount_due) == (BASIC, 678, BASIC - 678)
    assert renewal.amount_paid == BASIC - 678


def test_a_once_coupon_discounts_the_first_invoice_only(
    table, catalog, customer_id, attach_card, services, clock, uid
):
    coupon = CouponCreate.model_validate(
        {"id": f"welcome-{uid}", "name": "Welcome", "percentOff": 25, "duration": "once"}
    )
    create_coupon(table, coupon, clock)
    attach_card(customer_id)
    subscribe(table, customer_id, catalog.basic, couponId=f"welcome-{uid}")

    settle_customer(table, customer_id, START, services)
    settle_customer(table, customer_id, MARCH_END, services)

    first, renewal = invoices(table, customer_id)
    assert [line.kind for line in first.lines] == ["charge", "discount"]
    assert (first.discount, first.total) == (250, BASIC - 250)
    assert (renewal.discount, renewal.total) == (0, BASIC)
    assert get_subscription(table, customer_id).coupon is None


def test_a_forever_amount_coupon_keeps_discounting(
    table, catalog, customer_id, attach_card, services, clock, uid
):
    coupon = CouponCreate.model_validate(
        {
            "id": f"loyal-{uid}",
            "name": "Loyal",
            "amountOff": 300,
            "currency": "USD",
            "duration": "forever",
        }
    )
    create_coupon(table, coupon, clock)
    attach_card(customer_id)
    subscribe(table, customer_id, catalog.basic, couponId=f"loyal-{uid}")

    settle_customer(table, customer_id, datetime(2030, 5, 1, tzinfo=UTC), services)

    totals = [invoice.total for invoice in invoices(table, customer_id)]
    assert totals == [BASIC - 300] * 3


def test_a_zero_total_invoice_is_recorded_and_paid_without_a_charge(
    table, catalog, customer_id, services, clock, uid
):
    coupon = CouponCreate.model_validate(
        {"id": f"all-{uid}", "name": "All", "percentOff": 100, "duration": "forever"}
    )
    create_coupon(table, coupon, clock)
    subscribe(table, customer_id, catalog.basic, couponId=f"all-{uid}")

    settle_customer(table, customer_id, START, services)

    [invoice] = invoices(table, customer_id)
    assert (invoice.total, invoice.status, invoice.paid_at) == (0, "paid", START)
    assert invoice.payment.attempts == 0
    assert get_subscription(table, customer_id).status == "active"


def test_void_only_an_open_invoice(table, catalog, customer_id, attach_card, services):
    attach_card(customer_id, DECLINES_ON_CHARGE)
    subscribe(table, customer_id, catalog.basic)
    settle_customer(table, customer_id, START, services)
    [invoice] = invoices(table, customer_id)

    voided = void_invoice(table, invoice.id, FixedClock(DAY_10))
    again = void_invoice(table, invoice.id, FixedClock(DAY_10))

    assert (voided.status, voided.voided_at) == ("void", DAY_10)
    assert again.revision == voided.revision
    settle_customer(table, customer_id, DAY_10 + timedelta(days=5), services)
    assert get_invoice(table, customer_id, invoice.id).payment.attempts == 1


def test_a_paid_invoice_cannot_be_voided(table, catalog, customer_id, attach_card, services):
    attach_card(customer_id)
    subscribe(table, customer_id, catalog.basic)
    settle_customer(table, customer_id, START, services)
    [invoice] = invoices(table, customer_id)

    with pytest.raises(Conflict) as refused:
        void_invoice(table, invoice.id, FixedClock(DAY_10))

    assert refused.value.code == "invoice_not_open"


def test_a_card_needing_authentication_is_reported_not_failed(
    table, catalog, customer_id, attach_card, services
):
    attach_card(customer_id, NEEDS_AUTHENTICATION)
    subscribe(table, customer_id, catalog.basic)

    settle_customer(table, customer_id, START, services)

    [invoice] = invoices(table, customer_id)
    assert (invoice.status, invoice.payment.status) == ("open", "requires_action")
    assert invoice.payment.failure_code == "authentication_required"
    assert invoice.payment.next_attempt_at is None  # waits for the customer, not for dunning
    assert get_subscription(table, customer_id).status == "past_due"
    settle_customer(table, customer_id, START + timedelta(days=10), services)
    assert get_invoice(table, customer_id, invoice.id).payment.attempts == 1


def test_usage_past_a_soft_limit_is_billed_in_arrears_at_renewal(
    table, catalog, customer_id, attach_card, services, clock, uid
):
    metered = {
        "featureId": catalog.calls,
        "limit": 1_000,
        "enforcement": "soft",
        "overagePrices": [{"currency": "USD", "amount": 2}],
    }
    plan = PlanCreate.model_validate(
        {
            "id": f"metered-{uid}",
            "name": "Metered",
            "prices": [{"billingPeriod": "monthly", "currency": "USD", "amount": BASIC}],
            "entitlements": [metered],
        }
    )
    create_plan(table, plan, clock)
    attach_card(customer_id)
    subscribe(table, customer_id, f"metered-{uid}")
    report = UsageReport(
        customer_id=customer_id, feature_id=catalog.calls, value=1_250, idempotency_key="use"
    )
    report_usage(table, report, FixedClock(DAY_10))

    settle_customer(table, customer_id, MARCH_END, services)

    renewal = invoices(table, customer_id)[-1]
    assert [
        (line.description, line.quantity, line.unit_amount, line.amount) for line in renewal.lines
    ] == [
        ("Calls over the included 1,000", 250, 2, 500),
        ("Metered (monthly)", 1, BASIC, BASIC),
    ]
    assert renewal.lines[0].period_start == START
    assert renewal.total == BASIC + 500


def test_voiding_an_invoice_gives_back_the_credit_it_drew(
    table, catalog, customer_id, attach_card, payment_methods, services
):
    _downgraded_with_credit(table, catalog, customer_id, attach_card, services)
    declining = attach_card(customer_id, "4000000000000341")
    stripe_customer = get_customer(table, customer_id).stripe_customer_id
    payment_methods.set_default(stripe_customer, declining)
    settle_customer(table, customer_id, MARCH_END, services)
    renewal = invoices(table, customer_id)[-1]
    assert (renewal.status, renewal.credit_applied) == ("open", 678)
    assert balance_of(table, customer_id, "USD") == 0

    voided = void_invoice(table, renewal.id, FixedClock(MARCH_END + timedelta(hours=1)))

    assert voided.status == "void"
    assert balance_of(table, customer_id, "USD", consistent=True) == 678  # the 678 is back
