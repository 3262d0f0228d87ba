"""Tiered and package prices billed against moto's server and localstripe: overage priced in
graduated tiers or by the package, billed in arrears at renewal, and a volume-tiered add-on's
renewal line, each with the tier breakdown the invoice carries.

The period is March 2030 on a FixedClock; usage is reported on March 11 and billed when the
subscription renews on April 1. Expected amounts are hand arithmetic, worked out beside them.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from billfold.catalog.addons import create_addon
from billfold.catalog.models import AddonCreate, Feature, PlanCreate
from billfold.catalog.plans import create_plan
from billfold.catalog.price_models import TierCharge
from billfold.clock import Clock, FixedClock
from billfold.customers.models import CustomerCreate
from billfold.customers.service import create_customer
from billfold.invoicing.models import Invoice
from billfold.invoicing.service import list_invoices
from billfold.payments.stripe_customers import StripeCustomers
from billfold.settlement.customer import settle_customer
from billfold.storage.table import Table
from billfold.subscriptions.creation import create_subscription
from billfold.subscriptions.models import SubscriptionCreate
from billfold.usage.requests import UsageReport
from billfold.usage.service import report_usage

START = datetime(2030, 3, 1, tzinfo=UTC)
DAY_10 = datetime(2030, 3, 11, tzinfo=UTC)
MARCH_END = datetime(2030, 4, 1, tzinfo=UTC)
PLAN_PRICE = 1_000
INCLUDED = 1_000


@pytest.fixture
def customer_id(
    table: Table,
    stripe_customers: StripeCustomers,
    clock: Clock,
    uid: str,
    attach_card: Callable[..., str],
) -> str:
    request = CustomerCreate(id=f"tier-{uid}", email=f"tier-{uid}@example.com", name="Tier Co")
    created = create_customer(table, stripe_customers, request, clock).id
    attach_card(created)
    return created


def _metered_plan(table: Table, clock: Clock, feature: Feature, overage: dict[str, Any]) -> str:
    """A $10.00 monthly plan including 1,000 units of `feature`, soft limited, with `overage`."""
    plan_id = f"metered-{feature.id}"
    plan = PlanCreate.model_validate(
        {
            "id": plan_id,
            "name": "Metered",
            "prices": [{"billingPeriod": "monthly", "currency": "USD", "amount": PLAN_PRICE}],
            "entitlements": [
                {
                    "featureId": feature.id,
                    "limit": INCLUDED,
                    "enforcement": "soft",
                    "overagePrices": [overage],
                }
            ],
        }
    )
    create_plan(table, plan, clock)
    return plan_id


def _subscribe(table: Table, customer_id: str, plan_id: str, **fields: Any) -> None:
    order = SubscriptionCreate.model_validate({"planId": plan_id, "currency": "USD", **fields})
    create_subscription(table, customer_id, order, FixedClock(START))


def _use(table: Table, customer_id: str, feature: Feature, value: int) -> None:
    report = UsageReport(
        customer_id=customer_id, feature_id=feature.id, value=value, idempotency_key="use"
    )
    report_usage(table, report, FixedClock(DAY_10))


def _invoices(table: Table, customer_id: str) -> list[Invoice]:
    return list(reversed(list_invoices(table, customer_id, limit=100, cursor=None)[0]))


def _tier(
    tier: int, first: int, last: int | None, quantity: int, unit: int, flat: int, amount: int
) -> TierCharge:
    return TierCharge(
        tier=tier,
        first_unit=first,
        last_unit=last,
        quantity=quantity,
        unit_amount=unit,
        flat_amount=flat,
        amount=amount,
    )


def test_graduated_overage_is_billed_at_renewal_tier_by_tier(
    table: Table,
    clock: Clock,
    customer_id: str,
    services: Any,
    make_feature: Callable[..., Feature],
) -> None:
    feature = make_feature("metered")
    overage = {
        "currency": "USD",
        "model": "graduated",
        "tiers": [
            {"upTo": 100, "unitAmount": 5},
            {"upTo": 500, "unitAmount": 3, "flatAmount": 50},
            {"unitAmount": 1},
        ],
    }
    plan_id = _metered_plan(table, clock, feature, overage)
    _subscribe(table, customer_id, plan_id)
    _use(table, customer_id, feature, 1_750)

    settle_customer(table, customer_id, MARCH_END, services)

    renewal = _invoices(table, customer_id)[-1]
    assert renewal.reason == "renewal"
    # 1,750 used, 1,000 included: 750 over. Units 1-100 past the limit: 100 x 5 = 500;
    # 101-500: 400 x 3 = 1,200 + 50 flat = 1,250; 501-750: 250 x 1 = 250. In all 2,000.
    [over, plan] = renewal.lines
    assert (over.description, over.quantity, over.amount) == (
        "Units over the included 1,000",
        750,
        2_000,
    )
    assert over.tiers == [
        _tier(1, 1, 100, 100, 5, 0, 500),
        _tier(2, 101, 500, 400, 3, 50, 1_250),
        _tier(3, 501, None, 250, 1, 0, 250),
    ]
    assert (over.period_start, over.period_end) == (START, MARCH_END)
    assert (plan.amount, plan.tiers) == (PLAN_PRICE, [])
    assert renewal.total == PLAN_PRICE + 2_000
    assert renewal.status == "paid"


def test_graduated_overage_within_the_first_tier_adds_no_later_flat_fee(
    table: Table,
    clock: Clock,
    customer_id: str,
    services: Any,
    make_feature: Callable[..., Feature],
) -> None:
    feature = make_feature("metered")
    overage = {
        "currency": "USD",
        "model": "graduated",
        "tiers": [{"upTo": 100, "unitAmount": 5}, {"unitAmount": 3, "flatAmount": 50}],
    }
    plan_id = _metered_plan(table, clock, feature, overage)
    _subscribe(table, customer_id, plan_id)
    _use(table, customer_id, feature, 1_100)

    settle_customer(table, customer_id, MARCH_END, services)

    # 100 over, all inside the first tier: 100 x 5 = 500; the second tier's flat fee is not due
    over = _invoices(table, customer_id)[-1].lines[0]
    assert (over.quantity, over.amount) == (100, 500)
    assert over.tiers == [_tier(1, 1, 100, 100, 5, 0, 500)]


@pytest.mark.parametrize(
    ("used", "over", "packages"),
    [
        (1_001, 1, 1),  # one unit over starts a package
        (3_000, 2_000, 2),  # exactly two packages
        (3_001, 2_001, 3),  # one unit more starts the third
    ],
    ids=["one-unit", "whole-packages", "one-past-whole"],
)
def test_package_overage_rounds_up_to_whole_packages(
    table: Table,
    clock: Clock,
    customer_id: str,
    services: Any,
    make_feature: Callable[..., Feature],
    used: int,
    over: int,
    packages: int,
) -> None:
    feature = make_feature("metered")
    overage = {"currency": "USD", "model": "package", "amount": 100, "packageSize": 1_000}
    plan_id = _metered_plan(table, clock, feature, overage)
    _subscribe(table, customer_id, plan_id)
    _use(table, customer_id, feature, used)

    settle_customer(table, customer_id, MARCH_END, services)

    renewal = _invoices(table, customer_id)[-1]
    [line] = [line for line in renewal.lines if line.description.startswith("Units over")]
    # each started block of 1,000 units past the limit costs 100
    assert (line.quantity, line.amount, line.tiers) == (over, packages * 100, [])
    assert renewal.total == PLAN_PRICE + packages * 100


def test_a_volume_tiered_addon_renews_at_the_tier_its_whole_quantity_falls_in(
    table: Table, clock: Clock, customer_id: str, services: Any, uid: str
) -> None:
    plan_id, addon_id = f"plain-{uid}", f"racks-{uid}"
    plan = {
        "id": plan_id,
        "name": "Plain",
        "prices": [{"billingPeriod": "monthly", "currency": "USD", "amount": PLAN_PRICE}],
    }
    create_plan(table, PlanCreate.model_validate(plan), clock)
    addon = {
        "id": addon_id,
        "name": "Racks",
        "maxQuantity": 50,
        "planIds": [plan_id],
        "prices": [
            {
                "billingPeriod": "monthly",
                "currency": "USD",
                "model": "volume",
                "tiers": [
                    {"upTo": 5, "unitAmount": 400},
                    {"upTo": 20, "unitAmount": 300, "flatAmount": 100},
                    {"unitAmount": 200},
                ],
            }
        ],
    }
    create_addon(table, AddonCreate.model_validate(addon), clock)
    _subscribe(table, customer_id, plan_id, addons=[{"addonId": addon_id, "quantity": 8}])

    settle_customer(table, customer_id, MARCH_END, services)

    first, renewal = _invoices(table, customer_id)
    assert (first.reason, renewal.reason) == ("subscription_created", "renewal")
    # 8 racks fall in tier 2 (6-20): all 8 at 300 = 2,400, plus its 100 flat fee: 2,500
    expected = [_tier(2, 6, 20, 8, 300, 100, 2_500)]
    for invoice in (first, renewal):
        [racks] = [line for line in invoice.lines if line.quantity == 8]
        assert (racks.amount, racks.tiers) == (2_500, expected)
        assert invoice.total == PLAN_PRICE + 2_500
    [racks] = [line for line in renewal.lines if line.quantity == 8]
    assert (racks.period_start, racks.period_end) == (
        MARCH_END,
        datetime(2030, 5, 1, tzinfo=UTC),
    )
    assert renewal.status == "paid"
