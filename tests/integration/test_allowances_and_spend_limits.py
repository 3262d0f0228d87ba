"""Plan credit allowances and spend limits against moto's server and localstripe.

Allowances: granted by the billing run at the start of each period, once; a plain one expires
when its period ends, one with `rolloverCap` rolls over, cut down to the cap. Spend limits:
overage past the limit is credited back on the renewal invoice, and the relay publishes
`usage.spend_limit_reached` once a month.

The period is March 2030 on FixedClocks; expected amounts are hand arithmetic beside them.
"""

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from billfold.access.spend_limits import set_spend_limit
from billfold.catalog.credit_types import CreditTypeCreate, create_credit_type
from billfold.catalog.features import create_feature
from billfold.catalog.models import FeatureCreate, PlanCreate
from billfold.catalog.plans import create_plan
from billfold.clock import FixedClock
from billfold.customers.models import CustomerCreate
from billfold.customers.service import create_customer
from billfold.grants import Caller
from billfold.invoicing.models import Invoice
from billfold.invoicing.service import list_invoices
from billfold.outbox import recent_events
from billfold.payments.stripe_customers import StripeCustomers
from billfold.prepaid.ledger import ledger_page
from billfold.prepaid.models import ConsumeCredits
from billfold.prepaid.service import consume_credits, credit_balance
from billfold.settlement.customer import settle_customer
from billfold.spending.limits import SpendLimitSettings
from billfold.storage import keys
from billfold.storage.schema import create_table_request
from billfold.storage.table import Item, Table
from billfold.subscriptions.creation import create_subscription
from billfold.subscriptions.models import SubscriptionCreate
from billfold.usage.requests import UsageReport
from billfold.usage.service import report_usage
from billfold.usage.thresholds import record_thresholds
from local.dev import LocalApi

START = datetime(2030, 3, 1, tzinfo=UTC)
DAY_10 = datetime(2030, 3, 11, tzinfo=UTC)
DAY_20 = datetime(2030, 3, 21, tzinfo=UTC)
MARCH_END = datetime(2030, 4, 1, tzinfo=UTC)
APRIL_END = datetime(2030, 5, 1, tzinfo=UTC)
PLAN_PRICE = 1_000
INCLUDED = 1_000
OVERAGE_UNIT = 2
"""Each unit past the included 1,000 costs 2 US cents."""


@pytest.fixture(scope="module")
def quiet(local_api: LocalApi) -> Iterator[Table]:
    """A table of this module's own on the moto server: no background relay reads it, so only
    the test calls the thresholds."""
    name = f"billfold-spend-{uuid.uuid4().hex[:8]}"
    client = boto3.client("dynamodb")
    client.create_table(**create_table_request(name))
    yield Table(name, client=client)
    client.delete_table(TableName=name)


def _customer(table: Table, stripe_customers: StripeCustomers, uid: str) -> str:
    request = CustomerCreate(id=f"spend-{uid}", email=f"spend-{uid}@example.com", name="Spend Co")
    return create_customer(table, stripe_customers, request, FixedClock(START)).id


@pytest.fixture
def customer_id(
    table: Table, stripe_customers: StripeCustomers, uid: str, attach_card: Callable[..., str]
) -> str:
    created = _customer(table, stripe_customers, uid)
    attach_card(created)
    return created


def _credit_type(table: Table, uid: str) -> str:
    request = CreditTypeCreate.model_validate(
        {
            "id": f"ai-{uid}",
            "name": "AI credits",
            "unit": {"singular": "credit", "plural": "credits"},
        }
    )
    return create_credit_type(table, request, FixedClock(START)).id


def _plan(table: Table, uid: str, **terms: Any) -> str:
    plan_id = f"plan-{uid}"
    request = PlanCreate.model_validate(
        {
            "id": plan_id,
            "name": "Monthly",
            "prices": [{"billingPeriod": "monthly", "currency": "USD", "amount": PLAN_PRICE}],
            **terms,
        }
    )
    create_plan(table, request, FixedClock(START))
    return plan_id


def _subscribe(table: Table, customer_id: str, plan_id: str) -> None:
    order = SubscriptionCreate.model_validate({"planId": plan_id, "currency": "USD"})
    create_subscription(table, customer_id, order, FixedClock(START))


def _balance(table: Table, customer_id: str, credit_type: str, at: datetime) -> int:
    return credit_balance(table, customer_id, credit_type, FixedClock(at), None).balance


def _consume(table: Table, customer_id: str, credit_type: str, amount: int, at: datetime) -> None:
    request = ConsumeCredits(amount=amount, idempotency_key=f"use-{at.isoformat()}")
    consume_credits(table, customer_id, credit_type, request, FixedClock(at))


def _ledger(table: Table, customer_id: str, credit_type: str) -> list[tuple[str, int, int]]:
    """(kind, amount, balance after) of every ledger entry, oldest first."""
    entries, _ = ledger_page(table, customer_id, credit_type, limit=50, cursor=None)
    return [(e.kind, e.amount, e.balance_after) for e in reversed(entries)]


# --- credit allowances ------------------------------------------------------------------------


def _allowance_plan(table: Table, customer_id: str, uid: str, **terms: Any) -> str:
    """A credit type, a plan granting 100 of it a period (with `terms`), subscribed to."""
    credit_type = _credit_type(table, uid)
    allowance = {"creditTypeId": credit_type, "amount": 100, **terms}
    _subscribe(table, customer_id, _plan(table, uid, creditAllowances=[allowance]))
    return credit_type


def test_an_allowance_is_granted_at_the_period_start_once(
    table: Table, customer_id: str, services: Any, uid: str
) -> None:
    credit_type = _allowance_plan(table, customer_id, uid)

    first = settle_customer(table, customer_id, START, services)
    again = settle_customer(table, customer_id, START, services)
    later = settle_customer(table, customer_id, DAY_10, services)

    held = credit_balance(table, customer_id, credit_type, FixedClock(DAY_10), None)
    assert held.balance == 100  # granted once: not 200 or 300
    [allowance] = held.grants
    assert (allowance.source, allowance.amount, allowance.granted_at, allowance.expires_at) == (
        "recurring",
        100,
        START,
        MARCH_END,
    )
    assert _ledger(table, customer_id, credit_type) == [("grant", 100, 100)]
    # the runs after the first granted nothing new
    assert (first.allowances, again.allowances, later.allowances) == (1, 0, 0)


def test_an_allowance_expires_when_its_period_ends(
    table: Table, customer_id: str, services: Any, uid: str
) -> None:
    credit_type = _allowance_plan(table, customer_id, uid)
    settle_customer(table, customer_id, START, services)
    _consume(table, customer_id, credit_type, 30, DAY_10)  # 70 left of March's 100
    assert _balance(table, customer_id, credit_type, MARCH_END - timedelta(microseconds=1)) == 70

    renewal = settle_customer(table, customer_id, MARCH_END, services)

    assert renewal.expired_grants == 1
    # March's 70 expired with March: only April's 100 is left
    assert _balance(table, customer_id, credit_type, MARCH_END + timedelta(hours=1)) == 100
    # the expiry and April's grant share a moment: their order shows in the balances after
    assert sorted(_ledger(table, customer_id, credit_type)) == sorted(
        [("grant", 100, 100), ("consume", -30, 70), ("expire", -70, 0), ("grant", 100, 100)]
    )
    settle_customer(table, customer_id, MARCH_END + timedelta(hours=1), services)
    assert _balance(table, customer_id, credit_type, MARCH_END + timedelta(hours=2)) == 100
    [april] = credit_balance(
        table, customer_id, credit_type, FixedClock(MARCH_END + timedelta(hours=2)), None
    ).grants
    assert (april.granted_at, april.expires_at) == (MARCH_END, APRIL_END)


def test_an_allowance_with_a_rollover_cap_rolls_over_at_most_the_cap(
    table: Table, customer_id: str, services: Any, uid: str
) -> None:
    credit_type = _allowance_plan(table, customer_id, uid, rolloverCap=40)
    settle_customer(table, customer_id, START, services)
    _consume(table, customer_id, credit_type, 30, DAY_10)  # 70 left

    settle_customer(table, customer_id, MARCH_END, services)

    # 70 left, cut to the cap of 40 (30 expire), plus April's 100
    assert _balance(table, customer_id, credit_type, MARCH_END + timedelta(hours=1)) == 140

    may = settle_customer(table, customer_id, APRIL_END, services)
    settle_customer(table, customer_id, APRIL_END, services)  # a second run changes nothing

    # nothing used in April: 40 + 100 = 140 cut to 40 (100 expire), plus May's 100
    assert may.allowances == 1
    assert _balance(table, customer_id, credit_type, APRIL_END + timedelta(hours=1)) == 140
    # entries of one moment share it: their order shows in the balances after
    assert sorted(_ledger(table, customer_id, credit_type)) == sorted(
        [
            ("grant", 100, 100),
            ("consume", -30, 70),
            ("expire", -30, 40),
            ("grant", 100, 140),
            ("expire", -100, 40),
            ("grant", 100, 140),
        ]
    )
    held = credit_balance(table, customer_id, credit_type, FixedClock(APRIL_END), None)
    assert all(g.expires_at is None for g in held.grants)  # rolling allowances never expire


# --- overage past a spend limit ---------------------------------------------------------------


def _metered(table: Table, uid: str) -> tuple[str, str]:
    """A feature and a plan including 1,000 units of it, soft limited, 2 cents a unit past."""
    feature = FeatureCreate.model_validate(
        {
            "id": f"calls-{uid}",
            "name": "Calls",
            "type": "metered",
            "unit": {"singular": "call", "plural": "calls"},
        }
    )
    feature_id = create_feature(table, feature, FixedClock(START)).id
    entitlement = {
        "featureId": feature_id,
        "limit": INCLUDED,
        "enforcement": "soft",
        "overagePrices": [{"currency": "USD", "amount": OVERAGE_UNIT}],
    }
    return feature_id, _plan(table, uid, entitlements=[entitlement])


def _use(table: Table, customer_id: str, feature_id: str, value: int, at: datetime) -> None:
    report = UsageReport(
        customer_id=customer_id,
        feature_id=feature_id,
        value=value,
        idempotency_key=f"u-{at.isoformat()}",
    )
    report_usage(table, report, FixedClock(at))


def _limit(table: Table, customer_id: str, amount: int, at: datetime) -> None:
    settings = SpendLimitSettings(monthly_limit=amount)
    set_spend_limit(
        table, customer_id, settings, FixedClock(at), caller=Caller.SELLER, customers_may_set=False
    )


def _renewal(table: Table, customer_id: str) -> Invoice:
    invoices, _ = list_invoices(table, customer_id, limit=100, cursor=None)
    [renewal] = [i for i in invoices if i.reason == "renewal"]
    return renewal


@pytest.mark.parametrize(
    ("limit", "credited"),
    [
        (500, 300),  # 1,400 used: 400 over x 2 = 800; past the 500 limit: 300 not billed
        (799, 1),  # one cent short of the 800: 1 not billed
        (800, None),  # the limit exactly covers the overage: no credit
    ],
    ids=["well-past", "one-cent-past", "exactly-at"],
)
def test_overage_past_the_spend_limit_is_credited_on_the_renewal_invoice(
    table: Table,
    customer_id: str,
    services: Any,
    uid: str,
    limit: int,
    credited: int | None,
) -> None:
    feature_id, plan_id = _metered(table, uid)
    _subscribe(table, customer_id, plan_id)
    settle_customer(table, customer_id, START, services)
    _limit(table, customer_id, limit, DAY_10)
    _use(table, customer_id, feature_id, 1_400, DAY_10)  # a report is counted, never refused

    settle_customer(table, customer_id, MARCH_END, services)

    renewal = _renewal(table, customer_id)
    lines = {line.description: line for line in renewal.lines}
    over = lines["Calls over the included 1,000"]
    assert (over.quantity, over.amount) == (400, 800)
    credit = lines.get("Overage past your spend limit: not billed")
    if credited is None:
        assert credit is None
        assert renewal.total == PLAN_PRICE + 800  # 1,800
    else:
        assert credit is not None
        assert (credit.kind, credit.amount) == ("credit", -credited)
        # the plan's 1,000 + 800 overage - the credit: the overage billed is at most the limit
        assert renewal.total == PLAN_PRICE + 800 - credited == PLAN_PRICE + limit
    assert renewal.status == "paid"


# --- usage.spend_limit_reached ----------------------------------------------------------------


def _counter(table: Table, customer_id: str, feature_id: str) -> Item:
    item = table.get(keys.usage_counter(customer_id, feature_id), consistent=True)
    assert item is not None
    return item


def _reached(table: Table, customer_id: str) -> list[dict[str, Any]]:
    found, _ = recent_events(table, customer_id, limit=200, cursor=None)
    return [e["data"] for e in found if e["type"] == "usage.spend_limit_reached"]


def test_the_relay_publishes_spend_limit_reached_once_a_month(
    quiet: Table, stripe_customers: StripeCustomers, uid: str
) -> None:
    customer_id = _customer(quiet, stripe_customers, uid)
    feature_id, plan_id = _metered(quiet, uid)
    _subscribe(quiet, customer_id, plan_id)
    _limit(quiet, customer_id, 500, DAY_10)

    _use(quiet, customer_id, feature_id, 1_100, DAY_10)  # 100 over x 2 = 200: under 500
    below = _counter(quiet, customer_id, feature_id)
    first = record_thresholds(quiet, None, below, DAY_10)

    assert first == 3  # 80 %, 100 % and the soft limit passed; the spend limit not reached
    assert _reached(quiet, customer_id) == []

    _use(quiet, customer_id, feature_id, 300, DAY_10 + timedelta(hours=1))  # 1,400: 800 spent
    past = _counter(quiet, customer_id, feature_id)
    written = [
        record_thresholds(quiet, below, past, DAY_10),
        record_thresholds(quiet, below, past, DAY_10),  # the same stream record again
    ]
    _use(quiet, customer_id, feature_id, 100, DAY_20)  # 1,500 later the same month: 1,000 spent
    later = record_thresholds(quiet, past, _counter(quiet, customer_id, feature_id), DAY_20)

    assert (written, later) == ([1, 0], 0)
    assert _reached(quiet, customer_id) == [
        {
            "monthlyLimit": 500,
            "currency": "USD",
            "overage": 800,  # 400 over x 2
            "autoRecharge": 0,
            "month": "2030-03",
        }
    ]
