# ruff: noqa: F811 - the catalog fixture is imported from test_subscription_changes
"""Billing events through the transactional outbox, against moto's server (and localstripe for
customers): events written only with their change, the relay's sequence numbers, usage
thresholds, notices, webhook deliveries and event emails.

The session's table has the local stack's relay, fan-out and delivery workers reading it in
the background. The relay and delivery tests need to be the only ones acting, so they run on
a table of this module's own on the same moto server (`quiet`), which no worker reads.
"""

import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from billfold_lambda import dependencies as deps
from billfold_lambda.error_bodies import status_of

from billfold.clock import FixedClock, sortable_timestamp
from billfold.customers.cards import record_attached, record_detached
from billfold.customers.models import CustomerCreate
from billfold.customers.service import create_customer
from billfold.emails.branding import Branding
from billfold.emails.messages import Email
from billfold.emails.sending import LinkMaker, send_event_email
from billfold.endpoints.deliveries import (
    Queued,
    Response,
    attempt,
    delivery_of,
    due_retries,
    fan_out,
    list_deliveries,
)
from billfold.endpoints.models import EndpointCreate, EndpointUpdate, SecretRoll
from billfold.endpoints.service import (
    create_endpoint,
    find_endpoint,
    roll_secret,
    update_endpoint,
)
from billfold.endpoints.signing import HEADER, InvalidSignature, verify
from billfold.errors import Conflict, ErrorCode
from billfold.events.relay import handle_change
from billfold.outbox import EventType, event_put, recent_events, sequenced
from billfold.payments.payment_methods import Card
from billfold.settlement.customer import settle_customer
from billfold.settlement.notices import publish_due_notices
from billfold.storage import keys
from billfold.storage.schema import create_table_request
from billfold.storage.table import Item, Table
from billfold.subscriptions.cancellation import CancelRequest, cancel_subscription
from billfold.subscriptions.changes import save_change
from billfold.subscriptions.creation import create_subscription
from billfold.subscriptions.models import SubscriptionChange, SubscriptionCreate
from billfold.subscriptions.plan_change import plan_change
from billfold.usage.thresholds import record_thresholds
from tests.builders import invoice
from tests.integration.test_subscription_changes import (
    BASIC_CALLS,
    DAY_10,
    MARCH_END,
    START,
    catalog,  # noqa: F401 - a fixture
)

T0 = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
"""When the relay, delivery and email tests start."""


# --- fixtures and fakes ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def quiet(local_api) -> Iterator[Table]:
    """A table of this module's own on the moto server: no background worker reads it."""
    name = f"billfold-events-{uuid.uuid4().hex[:8]}"
    client = boto3.client("dynamodb")
    client.create_table(**create_table_request(name))
    yield Table(name, client=client)
    client.delete_table(TableName=name)


@pytest.fixture
def customer_id(table, stripe_customers, clock, uid) -> str:
    request = CustomerCreate(id=f"evts-{uid}", email=f"evts-{uid}@example.com", name="Events Co")
    return create_customer(table, stripe_customers, request, clock).id


@dataclass
class RecordingBus:
    """A bus that keeps what it was given."""

    published: list[dict[str, Any]] = field(default_factory=list)

    def publish(self, events: list[dict[str, Any]]) -> None:
        self.published += events


@dataclass
class FakeSender:
    """An endpoint answering `status_code` to every post, keeping what it was sent."""

    status_code: int | None = 200
    sent: list[tuple[str, bytes, dict[str, str]]] = field(default_factory=list)

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> Response:
        self.sent.append((url, body, dict(headers)))
        return Response(self.status_code, 12, None if self.status_code else "timed out")


@dataclass
class RecordingMailer:
    emails: list[Email] = field(default_factory=list)

    def send(self, email: Email, branding: Branding) -> None:
        self.emails.append(email)


class FailingMailer:
    def send(self, email: Email, branding: Branding) -> None:
        raise RuntimeError("SES said no")


class SenderDied(BaseException):
    """The Lambda died mid-send: nothing after it runs (not even an `except Exception`)."""


class DyingMailer:
    def send(self, email: Email, branding: Branding) -> None:
        raise SenderDied


def events_of(table: Table, customer_id: str | None) -> list[dict[str, Any]]:
    """The customer's outbox, oldest first."""
    found, _ = recent_events(table, customer_id, limit=200, cursor=None)
    return list(reversed(found))


def types_of(table: Table, customer_id: str | None) -> list[str]:
    return [event["type"] for event in events_of(table, customer_id)]


def ids_of(table: Table, customer_id: str | None) -> list[str]:
    return [event["id"] for event in events_of(table, customer_id)]


def subscribe(table, customer_id, plan_id, at=START, **fields):
    request = SubscriptionCreate.model_validate({"planId": plan_id, "currency": "USD", **fields})
    return create_subscription(table, customer_id, request, FixedClock(at))


def outbox_items(table: Table, customer_id: str | None) -> list[Item]:
    """The customer's outbox items as stored (stream images), oldest first."""
    return table.query(
        keys.events_partition(customer_id),
        sort_key_prefix=keys.EVENT_PREFIX,
        limit=100,
        consistent=True,
    ).items


def write_event(table: Table, customer_id: str | None, at: datetime) -> Item:
    """Write one outbox event (as a change would); its item as stored."""
    put = event_put(EventType.CUSTOMER_UPDATED, customer_id, {"id": customer_id}, at)
    table.transact([put])
    stored = table.get(keys.Key(pk=put.item["pk"], sk=put.item["sk"]), consistent=True)
    assert stored is not None
    return stored


# --- 1. an event is written only with its change ----------------------------------------------


def test_creating_a_customer_and_subscribing_write_exactly_their_events(
    table, catalog, customer_id
):
    assert types_of(table, customer_id) == ["customer.created"]

    subscribe(table, customer_id, catalog.basic)

    assert types_of(table, customer_id)[0] == "customer.created"
    assert sorted(types_of(table, customer_id)[1:]) == [
        "entitlements.updated",
        "subscription.created",
    ]
    [created] = [e for e in events_of(table, customer_id) if e["type"] == "subscription.created"]
    assert (created["customerId"], created["data"]["planId"]) == (customer_id, catalog.basic)


def test_a_change_that_loses_its_race_is_a_conflict_and_writes_no_event(
    table, catalog, customer_id
):
    subscribe(table, customer_id, catalog.basic)
    first = plan_change(table, customer_id, SubscriptionChange(plan_id=catalog.pro), DAY_10)
    second = plan_change(table, customer_id, SubscriptionChange(plan_id=catalog.flex), DAY_10)
    before_win = len(ids_of(table, customer_id))
    save_change(table, first.before, first.after, DAY_10, first.record)
    before = ids_of(table, customer_id)

    with pytest.raises(Conflict) as lost:
        save_change(table, second.before, second.after, DAY_10, second.record)

    assert lost.value.code == ErrorCode.CONCURRENT_MODIFICATION
    assert status_of(lost.value) == 409
    assert ids_of(table, customer_id) == before  # (the relay may number them meanwhile)
    assert sorted(types_of(table, customer_id)[before_win:]) == [
        "entitlements.updated",
        "subscription.updated",
    ]


def test_scheduling_a_cancel_writes_only_the_scheduled_change_event(table, catalog, customer_id):
    subscribe(table, customer_id, catalog.flex)
    before = len(events_of(table, customer_id))

    cancel_subscription(table, customer_id, CancelRequest(), FixedClock(DAY_10))

    assert types_of(table, customer_id)[before:] == ["subscription.scheduled_change_created"]


def test_canceling_now_writes_the_canceled_and_entitlements_events(table, catalog, customer_id):
    subscribe(table, customer_id, catalog.flex)
    before = len(events_of(table, customer_id))

    cancel_subscription(table, customer_id, CancelRequest(at_period_end=False), FixedClock(DAY_10))
    repeated = len(events_of(table, customer_id))
    cancel_subscription(table, customer_id, CancelRequest(at_period_end=False), FixedClock(DAY_10))

    assert sorted(types_of(table, customer_id)[before:]) == [
        "entitlements.updated",
        "subscription.canceled",
    ]
    assert len(events_of(table, customer_id)) == repeated  # a repeated cancel writes nothing


# --- 2. relay sequencing ------------------------------------------------------------------------


def test_sequencing_the_same_item_twice_gives_the_same_number(quiet):
    item = write_event(quiet, f"seq-{uuid.uuid4().hex[:8]}", T0)

    first = sequenced(quiet, item)
    again = sequenced(quiet, item)  # the same stream image, relayed a second time

    assert first["sequence"] == again["sequence"] == 1
    assert first["id"] == item["id"]
    [stored] = outbox_items(quiet, item["customer_id"])
    assert stored["sequence"] == 1


def test_each_customer_numbers_its_events_1_2_3_in_write_order(quiet):
    alice, bob = (f"{name}-{uuid.uuid4().hex[:8]}" for name in ("alice", "bob"))
    written = []
    for n in range(3):
        written.append(write_event(quiet, alice, T0 + timedelta(seconds=2 * n)))
        written.append(write_event(quiet, bob, T0 + timedelta(seconds=2 * n + 1)))
    bus = RecordingBus()

    for item in written:
        handle_change(quiet, bus, None, item, T0)

    by_customer = {
        who: [(e["id"], e["sequence"]) for e in bus.published if e["customerId"] == who]
        for who in (alice, bob)
    }
    for who in (alice, bob):
        ids = [item["id"] for item in written if item["customer_id"] == who]
        assert by_customer[who] == list(zip(ids, [1, 2, 3], strict=True))
        assert [e["sequence"] for e in events_of(quiet, who)] == [1, 2, 3]


def test_the_relay_ignores_an_event_item_modified_or_removed(quiet):
    item = write_event(quiet, f"mod-{uuid.uuid4().hex[:8]}", T0)
    bus = RecordingBus()
    handle_change(quiet, bus, None, item, T0)
    [numbered] = outbox_items(quiet, item["customer_id"])

    handle_change(quiet, bus, item, numbered, T0)  # MODIFY: the relay set its sequence
    handle_change(quiet, bus, numbered, None, T0)  # REMOVE: the TTL expired it

    assert [(e["id"], e["sequence"]) for e in bus.published] == [(item["id"], 1)]
    assert quiet.get(keys.event_sequence(item["customer_id"]), consistent=True)["last"] == 1


def test_the_relay_publishes_a_new_event_with_its_sequence_and_body(quiet):
    customer = f"pub-{uuid.uuid4().hex[:8]}"
    write_event(quiet, customer, T0)
    item = write_event(quiet, customer, T0 + timedelta(seconds=1))
    handle_change(quiet, RecordingBus(), None, outbox_items(quiet, customer)[0], T0)
    bus = RecordingBus()

    handle_change(quiet, bus, None, item, T0)

    [event] = bus.published
    assert event == {**json.loads(item["body"]), "sequence": 2}
    assert (event["type"], event["customerId"]) == ("customer.updated", customer)


# --- 3. usage thresholds ------------------------------------------------------------------------

PERIOD_1 = (sortable_timestamp(START), sortable_timestamp(MARCH_END))
PERIOD_2 = (sortable_timestamp(MARCH_END), sortable_timestamp(datetime(2030, 5, 1, tzinfo=UTC)))


def counter(customer_id: str, feature_id: str, used: int, period=PERIOD_1) -> Item:
    """A usage counter's stream image."""
    return {
        **keys.usage_counter(customer_id, feature_id),
        "used": used,
        "period_start": period[0],
        "period_end": period[1],
    }


def thresholds(table: Table, customer_id: str) -> list[tuple[int, int, str]]:
    """The customer's usage.threshold_reached events: (percent, used, period end), by period
    and percent (the events of one write share its moment, so their outbox order is by id)."""
    found = [
        (e["data"]["percent"], e["data"]["used"], e["data"]["periodEnd"])
        for e in events_of(table, customer_id)
        if e["type"] == "usage.threshold_reached"
    ]
    return sorted(found, key=lambda event: (event[2], event[0]))


def test_each_threshold_is_published_once_even_when_its_record_is_handled_twice(
    table, catalog, customer_id
):
    subscribe(table, customer_id, catalog.basic)  # calls: limit BASIC_CALLS (1 000)
    at_80, at_100 = BASIC_CALLS * 80 // 100, BASIC_CALLS
    to_80 = (
        counter(customer_id, catalog.calls, at_80 - 1),
        counter(customer_id, catalog.calls, at_80),
    )
    to_100 = (
        counter(customer_id, catalog.calls, at_80),
        counter(customer_id, catalog.calls, at_100),
    )

    written = [
        record_thresholds(table, *to_80, DAY_10),
        record_thresholds(table, *to_80, DAY_10),  # the same stream record again
        record_thresholds(table, *to_100, DAY_10),
        record_thresholds(table, *to_100, DAY_10),
    ]

    assert written == [1, 0, 1, 0]
    assert thresholds(table, customer_id) == [(80, at_80, PERIOD_1[1]), (100, at_100, PERIOD_1[1])]


def test_one_report_crossing_both_thresholds_publishes_both(table, catalog, customer_id):
    subscribe(table, customer_id, catalog.basic)
    old, new = (counter(customer_id, catalog.calls, n) for n in (0, BASIC_CALLS + 5))

    assert record_thresholds(table, old, new, DAY_10) == 2
    assert [percent for percent, _, _ in thresholds(table, customer_id)] == [80, 100]


def test_a_threshold_crossed_again_in_the_same_period_is_not_published_again(
    table, catalog, customer_id
):
    subscribe(table, customer_id, catalog.basic)
    calls = catalog.calls
    record_thresholds(
        table, counter(customer_id, calls, 0), counter(customer_id, calls, 1000), DAY_10
    )

    lowered = record_thresholds(
        table, counter(customer_id, calls, 1000), counter(customer_id, calls, 10), DAY_10
    )
    again = record_thresholds(
        table, counter(customer_id, calls, 10), counter(customer_id, calls, 1000), DAY_10
    )

    assert (lowered, again) == (0, 0)
    assert [percent for percent, _, _ in thresholds(table, customer_id)] == [80, 100]


def test_a_new_period_crosses_the_thresholds_again(table, catalog, customer_id):
    subscribe(table, customer_id, catalog.basic)
    calls = catalog.calls
    record_thresholds(
        table, counter(customer_id, calls, 0), counter(customer_id, calls, 1000), DAY_10
    )

    rolled = record_thresholds(
        table,
        counter(customer_id, calls, 1000, PERIOD_1),
        counter(customer_id, calls, 900, PERIOD_2),  # the first report of April
        MARCH_END,
    )

    assert rolled == 1  # 900 of 1 000: 80 % only
    assert thresholds(table, customer_id) == [
        (80, 1000, PERIOD_1[1]),
        (100, 1000, PERIOD_1[1]),
        (80, 900, PERIOD_2[1]),
    ]


def test_the_relay_hands_a_counter_record_to_the_thresholds_and_publishes_nothing_itself(
    table, catalog, customer_id
):
    subscribe(table, customer_id, catalog.basic)
    bus = RecordingBus()
    old, new = (counter(customer_id, catalog.calls, n) for n in (799, 800))

    handle_change(table, bus, old, new, DAY_10)
    handle_change(table, bus, old, new, DAY_10)  # the stream record again

    assert bus.published == []  # the event comes back through the stream as any other
    assert thresholds(table, customer_id) == [(80, 800, PERIOD_1[1])]


def test_a_feature_the_customer_is_not_entitled_to_records_no_threshold(
    table, catalog, customer_id
):
    subscribe(table, customer_id, catalog.basic)
    other = f"nofeat-{uuid.uuid4().hex[:6]}"

    written = record_thresholds(
        table, counter(customer_id, other, 0), counter(customer_id, other, 10**6), DAY_10
    )

    assert written == 0
    assert thresholds(table, customer_id) == []


# --- 4. notices ---------------------------------------------------------------------------------

TRIAL_END = START + timedelta(days=10)
TRIAL_NOTICE_DUE = TRIAL_END - timedelta(days=3)


def trial_notice(table: Table, customer_id: str) -> Item | None:
    return table.get(keys.notice(customer_id, "trial_will_end"), consistent=True)


def test_a_trialing_subscription_has_its_notice_due_3_days_before_the_trial_ends(
    table, catalog, customer_id
):
    created = subscribe(table, customer_id, catalog.basic, trialDays=10)

    notice = trial_notice(table, customer_id)

    assert (created.status, created.trial_end) == ("trialing", TRIAL_END)
    assert notice is not None
    assert notice["due_at"] == sortable_timestamp(TRIAL_NOTICE_DUE)
    assert notice["event_type"] == "subscription.trial_will_end"


def test_the_trial_notice_is_published_once_when_due(table, catalog, customer_id):
    subscribe(table, customer_id, catalog.basic, trialDays=10)

    early = publish_due_notices(table, customer_id, TRIAL_NOTICE_DUE - timedelta(seconds=1))
    due = publish_due_notices(table, customer_id, TRIAL_NOTICE_DUE)
    again = publish_due_notices(table, customer_id, TRIAL_NOTICE_DUE + timedelta(hours=1))

    assert (early, due, again) == (0, 1, 0)
    [event] = [e for e in events_of(table, customer_id) if e["type"].endswith("trial_will_end")]
    assert event["data"]["status"] == "trialing"
    assert event["data"]["trialEnd"].startswith(TRIAL_END.date().isoformat())
    assert trial_notice(table, customer_id) is None


def test_canceling_a_trial_before_its_notice_is_due_removes_the_notice(table, catalog, customer_id):
    subscribe(table, customer_id, catalog.basic, trialDays=10)

    cancel_subscription(
        table,
        customer_id,
        CancelRequest(at_period_end=False),
        FixedClock(START + timedelta(days=1)),
    )
    published = publish_due_notices(table, customer_id, TRIAL_END)

    assert trial_notice(table, customer_id) is None
    assert published == 0
    assert "subscription.trial_will_end" not in types_of(table, customer_id)


def card(payment_method_id: str, exp_month: int = 12, exp_year: int = 2027) -> Card:
    return Card(
        id=payment_method_id,
        brand="visa",
        last4="4242",
        exp_month=exp_month,
        exp_year=exp_year,
        is_default=True,
    )


def card_events(table: Table, customer_id: str) -> list[str]:
    return [t for t in types_of(table, customer_id) if t.startswith("payment_method.")]


def test_a_card_expiring_in_december_is_announced_once_from_november_1st(table, customer_id):
    attached_at = datetime(2027, 3, 1, tzinfo=UTC)
    pm = f"pm_{uuid.uuid4().hex[:10]}"
    assert record_attached(table, customer_id, card(pm), attached_at)
    assert not record_attached(table, customer_id, card(pm), attached_at)  # recorded once

    november = datetime(2027, 11, 1, tzinfo=UTC)
    runs = [
        publish_due_notices(table, customer_id, november - timedelta(seconds=1)),
        publish_due_notices(table, customer_id, november),
        publish_due_notices(table, customer_id, november + timedelta(days=1)),
    ]

    assert runs == [0, 1, 0]
    assert card_events(table, customer_id) == [
        "payment_method.attached",
        "payment_method.expiring",
    ]
    expiring = events_of(table, customer_id)[-1]
    assert expiring["data"]["id"] == pm
    assert (expiring["data"]["expMonth"], expiring["data"]["expYear"]) == (12, 2027)


def test_the_billing_run_announces_a_card_of_a_customer_without_a_subscription(
    table, customer_id, local_api
):
    """A card's notice brings a customer with no subscription to the billing run: it settles
    (nothing to transition) and publishes the notice, instead of failing every run."""
    pm = f"pm_{uuid.uuid4().hex[:10]}"
    record_attached(table, customer_id, card(pm), datetime(2027, 3, 1, tzinfo=UTC))

    done = settle_customer(
        table, customer_id, datetime(2027, 11, 2, tzinfo=UTC), deps.billing_services()
    )

    assert (done.transitions, done.notices, done.invoices) == (0, 1, [])
    assert card_events(table, customer_id)[-1] == "payment_method.expiring"


def test_a_detached_card_is_not_announced_as_expiring(table, customer_id):
    pm = f"pm_{uuid.uuid4().hex[:10]}"
    record_attached(table, customer_id, card(pm), datetime(2027, 3, 1, tzinfo=UTC))

    record_detached(table, customer_id, pm, datetime(2027, 6, 1, tzinfo=UTC))
    published = publish_due_notices(table, customer_id, datetime(2027, 12, 1, tzinfo=UTC))

    assert published == 0
    assert table.get(keys.notice(customer_id, f"card_expiring#{pm}"), consistent=True) is None
    assert table.get(keys.card(customer_id, pm), consistent=True) is None
    assert card_events(table, customer_id) == [
        "payment_method.attached",
        "payment_method.detached",
    ]


# --- 5. deliveries ------------------------------------------------------------------------------

HOOK_URL = "http://127.0.0.1:9/hooks"


def endpoint(quiet: Table, types: list[str], at: datetime = T0) -> tuple[Item, str]:
    """A new enabled endpoint, as stored, and its secret."""
    request = EndpointCreate(id=f"ep-{uuid.uuid4().hex[:10]}", url=HOOK_URL, event_types=types)
    made = create_endpoint(quiet, request, FixedClock(at), allow_loopback=True)
    stored = find_endpoint(quiet, made.id)
    assert stored is not None
    return stored, made.secret


def an_event(event_type: EventType = EventType.INVOICE_PAID, at: datetime = T0) -> dict[str, Any]:
    """An event as the relay publishes it."""
    put = event_put(event_type, f"cust-{uuid.uuid4().hex[:6]}", {"id": "in_1"}, at)
    return {**json.loads(put.item["body"]), "sequence": 1}


def deliveries(quiet: Table, endpoint_id: str) -> list[Any]:
    return list_deliveries(quiet, endpoint_id, limit=100, cursor=None)[0]


def stored_delivery(quiet: Table, queued: Queued) -> Item:
    item = quiet.get(keys.webhook_delivery(queued.endpoint_id, queued.delivery_id), consistent=True)
    assert item is not None
    return item


def fresh(quiet: Table, ep: Item) -> Item:
    stored = find_endpoint(quiet, ep["id"])
    assert stored is not None
    return stored


def test_fan_out_records_one_delivery_per_enabled_endpoint_that_wants_the_event(quiet):
    wants, every, other = (
        endpoint(quiet, t)[0] for t in (["invoice.paid"], ["*"], ["customer.created"])
    )
    off, _ = endpoint(quiet, ["*"])
    update_endpoint(quiet, off["id"], EndpointUpdate(status="disabled"), FixedClock(T0), True)
    endpoints = [wants, every, other, fresh(quiet, off)]
    event = an_event()

    queued = fan_out(quiet, event, endpoints, T0)

    assert {q.endpoint_id for q in queued} == {wants["id"], every["id"]}
    counts = {ep["id"]: len(deliveries(quiet, ep["id"])) for ep in endpoints}
    assert counts == {wants["id"]: 1, every["id"]: 1, other["id"]: 0, off["id"]: 0}
    [delivery] = deliveries(quiet, wants["id"])
    assert (delivery.event_id, delivery.status, delivery.attempts) == (event["id"], "pending", [])


def test_fanning_out_the_same_event_again_records_nothing_new(quiet):
    ep, _ = endpoint(quiet, ["*"])
    event = an_event()
    first = fan_out(quiet, event, [ep], T0)

    again = fan_out(quiet, event, [ep], T0)

    assert again == first  # not attempted yet: queued again, not recorded again
    assert len(deliveries(quiet, ep["id"])) == 1


def test_fanning_out_the_same_event_again_later_records_nothing_new(quiet):
    ep, _ = endpoint(quiet, ["*"])
    event = an_event()
    fan_out(quiet, event, [ep], T0)

    fan_out(quiet, event, [ep], T0 + timedelta(minutes=1))

    assert len(deliveries(quiet, ep["id"])) == 1


def test_a_failed_attempt_is_recorded_and_retried_a_minute_later(quiet):
    ep, _ = endpoint(quiet, ["*"])
    [queued] = fan_out(quiet, an_event(), [ep], T0)

    delivery = attempt(quiet, FakeSender(500), queued, T0)

    assert delivery is not None
    retry_at = T0 + timedelta(minutes=1)
    item = stored_delivery(quiet, queued)
    assert (item["status"], item["attempt_count"]) == ("pending", 1)
    [failed] = delivery_of(item).attempts
    assert (failed.status, failed.response_code, failed.at) == ("failed", 500, T0)
    assert datetime.fromisoformat(item["next_attempt_at"]) == retry_at
    assert fresh(quiet, ep)["failing_since"] == T0.isoformat()
    assert queued not in due_retries(quiet, retry_at - timedelta(seconds=1))
    assert attempt(quiet, FakeSender(200), queued, retry_at - timedelta(seconds=1)) is None
    assert due_retries(quiet, retry_at).count(queued) == 1


def test_a_successful_retry_succeeds_the_delivery_and_clears_failing_since(quiet):
    ep, _ = endpoint(quiet, ["*"])
    [queued] = fan_out(quiet, an_event(), [ep], T0)
    attempt(quiet, FakeSender(500), queued, T0)
    retry_at = T0 + timedelta(minutes=1)

    delivery = attempt(quiet, FakeSender(200), queued, retry_at)

    assert delivery is not None
    assert delivery.status == "succeeded"
    item = stored_delivery(quiet, queued)
    assert item["status"] == "succeeded"
    assert [a["status"] for a in item["attempts"]] == ["failed", "succeeded"]
    assert "next_attempt_at" not in item
    assert "failing_since" not in fresh(quiet, ep)
    assert queued not in due_retries(quiet, retry_at + timedelta(days=1))
    assert attempt(quiet, FakeSender(200), queued, retry_at + timedelta(hours=1)) is None


def test_a_delivery_still_failing_3_days_after_creation_is_failed(quiet):
    ep, _ = endpoint(quiet, ["*"])
    [queued] = fan_out(quiet, an_event(), [ep], T0)
    attempt(quiet, FakeSender(500), queued, T0)
    late = T0 + timedelta(days=3) - timedelta(minutes=2)  # the next wait would pass 3 days

    delivery = attempt(quiet, FakeSender(None), queued, late)

    assert delivery is not None
    assert delivery.status == "failed"
    item = stored_delivery(quiet, queued)
    assert (item["status"], item["attempt_count"]) == ("failed", 2)
    assert delivery_of(item).attempts[1].error == "timed out"
    assert "next_attempt_at" not in item
    assert queued not in due_retries(quiet, T0 + timedelta(days=10))
    assert attempt(quiet, FakeSender(200), queued, T0 + timedelta(days=4)) is None


def disabled_events(quiet: Table, endpoint_id: str) -> list[dict[str, Any]]:
    return [
        e
        for e in events_of(quiet, None)
        if e["type"] == "webhook_endpoint.disabled" and e["data"]["id"] == endpoint_id
    ]


def test_an_endpoint_failing_for_under_5_days_stays_enabled(quiet):
    ep, _ = endpoint(quiet, ["*"])
    [first] = fan_out(quiet, an_event(), [ep], T0)
    attempt(quiet, FakeSender(500), first, T0)
    later = T0 + timedelta(days=4)
    [second] = fan_out(quiet, an_event(at=later), [fresh(quiet, ep)], later)

    attempt(quiet, FakeSender(500), second, later)

    assert fresh(quiet, ep)["status"] == "enabled"
    assert disabled_events(quiet, ep["id"]) == []


def test_an_endpoint_failing_for_over_5_days_is_disabled_and_that_is_published(quiet):
    ep, _ = endpoint(quiet, ["*"])
    [first] = fan_out(quiet, an_event(), [ep], T0)
    attempt(quiet, FakeSender(500), first, T0)
    later = T0 + timedelta(days=5, minutes=1)
    [second] = fan_out(quiet, an_event(at=later), [fresh(quiet, ep)], later)

    attempt(quiet, FakeSender(500), second, later)

    stored = fresh(quiet, ep)
    assert (stored["status"], stored["disabled_reason"]) == ("disabled", "failing")
    [event] = disabled_events(quiet, ep["id"])
    assert event["customerId"] is None
    assert (event["data"]["status"], event["data"]["disabledReason"]) == ("disabled", "failing")
    assert "secret" not in event["data"]
    retry_at = datetime.fromisoformat(stored_delivery(quiet, second)["next_attempt_at"])
    assert attempt(quiet, FakeSender(200), second, retry_at) is None  # disabled: no attempt
    later_still = retry_at + timedelta(days=1)
    assert second not in due_retries(quiet, later_still)  # and out of the retry sweep


def test_a_delivery_is_signed_with_the_endpoint_secret(quiet):
    ep, secret = endpoint(quiet, ["*"])
    event = an_event()
    [queued] = fan_out(quiet, event, [ep], T0)
    sender = FakeSender(200)

    attempt(quiet, sender, queued, T0)

    [(url, body, headers)] = sender.sent
    assert url == HOOK_URL
    assert json.loads(body) == event
    assert (headers["Billfold-Event-Id"], headers["Billfold-Event-Type"]) == (
        event["id"],
        event["type"],
    )
    verify(body, headers[HEADER], secret, now=T0.timestamp())
    with pytest.raises(InvalidSignature):
        verify(body, headers[HEADER], "whsec_someone_else", now=T0.timestamp())
    with pytest.raises(InvalidSignature):
        verify(body + b" ", headers[HEADER], secret, now=T0.timestamp())


def test_after_a_secret_roll_deliveries_carry_both_signatures(quiet):
    ep, old_secret = endpoint(quiet, ["*"])
    rolled_at = T0 + timedelta(minutes=5)
    new_secret = roll_secret(
        quiet, ep["id"], SecretRoll(from_version=1), FixedClock(rolled_at)
    ).secret
    [queued] = fan_out(quiet, an_event(at=rolled_at), [fresh(quiet, ep)], rolled_at)
    sender = FakeSender(200)

    attempt(quiet, sender, queued, rolled_at + timedelta(minutes=1))

    [(_, body, headers)] = sender.sent
    header = headers[HEADER]
    assert header.count("v1=") == 2
    assert new_secret != old_secret
    for secret in (old_secret, new_secret):
        verify(body, header, secret, now=(rolled_at + timedelta(minutes=1)).timestamp())


def test_a_rolled_secret_stops_signing_after_24_hours(quiet):
    ep, old_secret = endpoint(quiet, ["*"])
    new_secret = roll_secret(quiet, ep["id"], SecretRoll(from_version=1), FixedClock(T0)).secret
    later = T0 + timedelta(hours=24, seconds=1)
    [queued] = fan_out(quiet, an_event(at=later), [fresh(quiet, ep)], later)
    sender = FakeSender(200)

    attempt(quiet, sender, queued, later)

    [(_, body, headers)] = sender.sent
    assert headers[HEADER].count("v1=") == 1
    verify(body, headers[HEADER], new_secret, now=later.timestamp())
    with pytest.raises(InvalidSignature):
        verify(body, headers[HEADER], old_secret, now=later.timestamp())


# --- 6. emails ----------------------------------------------------------------------------------

BRANDING = Branding(product_name="Acme Cloud", from_address="billing@acme.test")


def payment_failed(customer_id: str) -> dict[str, Any]:
    """An invoice.payment_failed event as the relay publishes it."""
    failed = invoice(id=f"in_{uuid.uuid4().hex[:10]}", customer_id=customer_id, created_at=T0)
    put = event_put(EventType.INVOICE_PAYMENT_FAILED, customer_id, failed, T0)
    return {**json.loads(put.item["body"]), "sequence": 7}


def send(table, mailer, event, now=T0):
    links = LinkMaker("https://api.acme.test", b"portal-secret-for-tests", now)
    return send_event_email(table, mailer, BRANDING, event, links, now)


def claim(table: Table, event: Mapping[str, Any]) -> Item | None:
    return table.get(keys.email_sent(event["id"]), consistent=True)


def test_a_payment_failed_event_sends_one_email_to_the_customer(table, customer_id):
    mailer = RecordingMailer()
    event = payment_failed(customer_id)

    sent = send(table, mailer, event)

    assert sent is not None
    assert [e.to for e in mailer.emails] == [f"{customer_id}@example.com"]
    assert mailer.emails[0].kind == "payment_failed"
    assert claim(table, event)["status"] == "sent"


def test_the_same_event_again_sends_no_email(table, customer_id):
    mailer = RecordingMailer()
    event = payment_failed(customer_id)
    send(table, mailer, event)

    again = send(table, mailer, event, T0 + timedelta(minutes=1))
    much_later = send(table, mailer, event, T0 + timedelta(days=1))

    assert (again, much_later) == (None, None)
    assert len(mailer.emails) == 1


def test_a_mailer_failure_leaves_no_claim_so_the_retry_sends(table, customer_id):
    event = payment_failed(customer_id)
    with pytest.raises(RuntimeError):
        send(table, FailingMailer(), event)
    assert claim(table, event) is None
    mailer = RecordingMailer()

    send(table, mailer, event, T0 + timedelta(seconds=30))

    assert len(mailer.emails) == 1
    assert claim(table, event)["status"] == "sent"


def test_a_claim_whose_lease_ran_out_is_taken_over(table, customer_id):
    event = payment_failed(customer_id)
    with pytest.raises(SenderDied):
        send(table, DyingMailer(), event)
    assert claim(table, event)["status"] == "sending"
    mailer = RecordingMailer()

    while_held = send(table, mailer, event, T0 + timedelta(minutes=4, seconds=59))
    taken_over = send(table, mailer, event, T0 + timedelta(minutes=5, seconds=1))

    assert while_held is None
    assert taken_over is not None
    assert len(mailer.emails) == 1
    assert claim(table, event)["status"] == "sent"


def test_an_event_for_no_known_customer_sends_nothing(table):
    mailer = RecordingMailer()

    sent = send(table, mailer, payment_failed(f"ghost-{uuid.uuid4().hex[:8]}"))

    assert sent is None
    assert mailer.emails == []


def test_a_re_enabled_endpoint_starts_its_failures_over(quiet):
    ep, _ = endpoint(quiet, ["*"])
    [first] = fan_out(quiet, an_event(), [ep], T0)
    attempt(quiet, FakeSender(500), first, T0)
    later = T0 + timedelta(days=5, minutes=1)
    [second] = fan_out(quiet, an_event(at=later), [fresh(quiet, ep)], later)
    attempt(quiet, FakeSender(500), second, later)  # disabled: failing for 5 days
    enable = EndpointUpdate(status="enabled")

    update_endpoint(quiet, ep["id"], enable, FixedClock(later), allow_loopback=True)
    [third] = fan_out(quiet, an_event(at=later), [fresh(quiet, ep)], later)
    attempt(quiet, FakeSender(500), third, later)

    stored = fresh(quiet, ep)
    assert stored["status"] == "enabled"
    assert stored["failing_since"] == later.isoformat()
    assert len(disabled_events(quiet, ep["id"])) == 1


def test_a_create_replayed_after_a_roll_is_a_conflict_not_the_new_secret(quiet):
    request = EndpointCreate(id=f"ep-{uuid.uuid4().hex[:8]}", url=HOOK_URL, event_types=["*"])
    made = create_endpoint(quiet, request, FixedClock(T0), allow_loopback=True)
    again = create_endpoint(quiet, request, FixedClock(T0), allow_loopback=True)
    roll_secret(quiet, request.id, SecretRoll(from_version=1), FixedClock(T0))

    with pytest.raises(Conflict):
        create_endpoint(quiet, request, FixedClock(T0), allow_loopback=True)
    assert again.secret == made.secret
