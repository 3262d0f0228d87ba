"""Cached entitlement checks against the local stack: answered from the cache within the TTL,
fetched again after it, dropped by billfold's events for that customer (a real, signed webhook
included), and the seller's fallbacks when billfold cannot be reached."""

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from billfold_sdk import Billfold, CachedEntitlements
from billfold_sdk.errors import Unreachable
from billfold_sdk.webhooks import SIGNATURE_HEADER, construct_event

from local.dev import LocalApi
from local.servers import free_port
from tests.e2e.receiver import Receiver, running_receiver
from tests.sdk.conftest import Wire

TTL = 30.0


class Seconds:
    """An injectable monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def seconds() -> Seconds:
    return Seconds()


@pytest.fixture
def cache(sdk: Billfold, seconds: Seconds) -> CachedEntitlements:
    """The SDK's cache with a TTL of 30 s on the test's own clock."""
    return CachedEntitlements(sdk, ttl=TTL, seconds=seconds)


def _checks(wire: Wire) -> int:
    return sum(1 for r in wire.sent if r.method == "GET" and "/entitlements/" in r.url.path)


def test_a_check_is_cached_within_the_ttl_and_fetched_again_after(
    cache: CachedEntitlements, wire: Wire, seconds: Seconds, subscribed: Callable[..., str]
) -> None:
    customer_id = subscribed()

    first = cache.check(customer_id, "api-calls")
    seconds.now += TTL - 1
    again = cache.check(customer_id, "api-calls")
    allowed = cache.allowed(customer_id, "api-calls")

    assert first == again
    assert first["hasAccess"]
    assert allowed
    assert _checks(wire) == 1
    seconds.now += 1
    cache.check(customer_id, "api-calls")
    assert _checks(wire) == 2


def test_a_check_is_cached_per_feature_and_requested_amount(
    cache: CachedEntitlements, wire: Wire, subscribed: Callable[..., str]
) -> None:
    customer_id = subscribed()

    one = cache.check(customer_id, "api-calls")
    many = cache.check(customer_id, "api-calls", requested=100)
    seats = cache.check(customer_id, "seats")
    cache.check(customer_id, "api-calls", requested=100)

    assert (one["requested"], many["requested"], seats["featureId"]) == (1, 100, "seats")
    assert _checks(wire) == 3


def test_the_cached_answer_is_stale_until_an_event_drops_it(
    sdk: Billfold, cache: CachedEntitlements, wire: Wire, subscribed: Callable[..., str]
) -> None:
    customer_id = subscribed()
    before = cache.check(customer_id, "api-calls")
    sdk.report_usage(
        {"customerId": customer_id, "featureId": "api-calls", "value": 40}  # type: ignore[typeddict-item]
    )

    stale = cache.check(customer_id, "api-calls")
    dropped = cache.handle_event({"type": "usage.threshold_reached", "customerId": customer_id})
    fresh = cache.check(customer_id, "api-calls")

    assert before["usage"] == stale["usage"] == 0
    assert dropped
    assert fresh["usage"] == 40
    assert _checks(wire) == 2


@pytest.mark.parametrize(
    "kind",
    ["entitlements.updated", "usage.threshold_reached", "usage.soft_limit_exceeded"],
)
def test_an_event_drops_only_its_own_customers_answers(
    cache: CachedEntitlements, wire: Wire, subscribed: Callable[..., str], kind: str
) -> None:
    mine, other = subscribed(), subscribed()
    cache.check(mine, "api-calls")
    cache.check(other, "api-calls")

    assert cache.handle_event({"type": kind, "customerId": other})
    cache.check(mine, "api-calls")
    assert _checks(wire) == 2, "another customer's event kept this one's answer"
    cache.check(other, "api-calls")
    assert _checks(wire) == 3, "the event's own customer is asked again"


def test_an_event_that_changes_no_entitlement_drops_nothing(
    cache: CachedEntitlements, wire: Wire, subscribed: Callable[..., str]
) -> None:
    customer_id = subscribed()
    cache.check(customer_id, "api-calls")

    kept = [
        cache.handle_event({"type": kind, "customerId": customer_id})
        for kind in ("customer.updated", "invoice.paid", "payment_method.attached", "")
    ]
    cache.check(customer_id, "api-calls")

    assert kept == [False] * 4
    assert _checks(wire) == 1


@pytest.fixture
def webhooks(sdk: Billfold) -> Iterator[Receiver]:
    """A loopback endpoint registered for every event type, deleted after the test."""
    with running_receiver() as receiver:
        endpoint_id = f"sdk-cache-{time.time_ns()}"
        created = sdk.create_webhook_endpoint(
            {"id": endpoint_id, "url": receiver.url, "eventTypes": ["*"]}
        )
        receiver.secret = created["secret"]
        try:
            yield receiver
        finally:
            sdk.delete_webhook_endpoint(endpoint_id)


def _delivered(receiver: Receiver, customer_id: str, kind: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with receiver.lock:
            for delivery in receiver.received:
                event = delivery.event
                if event.get("customerId") == customer_id and event.get("type") == kind:
                    return delivery
        time.sleep(0.2)
    raise AssertionError(f"no {kind} delivered for {customer_id} within {timeout} s")


def test_a_real_signed_webhook_drops_the_stale_answer(
    sdk: Billfold,
    cache: CachedEntitlements,
    wire: Wire,
    webhooks: Receiver,
    local_api: LocalApi,
    subscribed: Callable[..., str],
) -> None:
    customer_id = subscribed("starter")
    before = cache.check(customer_id, "api-calls")
    sdk.change_subscription(customer_id, {"planId": "pro"})
    stale = cache.check(customer_id, "api-calls")
    asked_before_the_event = _checks(wire)

    delivery = _delivered(webhooks, customer_id, "entitlements.updated")
    header = next(v for k, v in delivery.headers.items() if k.lower() == SIGNATURE_HEADER.lower())
    moved = (local_api.clock.now() - datetime.now(UTC)).total_seconds()
    event = construct_event(delivery.body, header, webhooks.secret, tolerance=300 + int(abs(moved)))
    dropped = cache.handle_event(event)
    fresh = cache.check(customer_id, "api-calls")

    assert before["limit"] == stale["limit"] == 50000
    assert asked_before_the_event == 1, "the stale answer came from the cache"
    assert _checks(wire) == 2
    assert event["type"] == "entitlements.updated"
    assert event["customerId"] == customer_id
    assert dropped
    assert fresh["limit"] == 500000
    assert fresh == sdk.check_entitlement(customer_id, "api-calls", requested=1)


def test_a_tampered_webhook_is_refused(webhooks: Receiver, subscribed: Callable[..., str]) -> None:
    from billfold_sdk.webhooks import InvalidSignature

    customer_id = subscribed()
    delivery = _delivered(webhooks, customer_id, "customer.created")
    header = next(v for k, v in delivery.headers.items() if k.lower() == SIGNATURE_HEADER.lower())

    with pytest.raises(InvalidSignature):
        construct_event(delivery.body.replace(b"customer", b"kustomer", 1), header, webhooks.secret)
    with pytest.raises(InvalidSignature):
        construct_event(delivery.body, header, "whsec_not_the_secret")


@pytest.fixture
def unreachable() -> Iterator[Billfold]:
    """A client for an address nothing listens on, with fallbacks for two features."""
    wire = Wire()
    client = Billfold(
        "bf_sk_nobody_listens_here_0123456789abcdef",
        f"http://127.0.0.1:{free_port()}",
        max_retries=0,
        timeout=2,
        fallbacks={"api-calls": True, "sso": False},
        http_client=httpx.Client(transport=wire, timeout=2),
    )
    with client:
        yield client


def test_fallbacks_answer_when_billfold_cannot_be_reached(unreachable: Billfold) -> None:
    allowed = unreachable.entitlements.check("acme", "api-calls", requested=3)
    refused = unreachable.entitlements.check("acme", "sso")

    assert (allowed["hasAccess"], allowed["reason"], allowed["requested"]) == (
        True,
        "fallback",
        3,
    )
    assert (refused["hasAccess"], refused["reason"]) == (False, "fallback")
    assert unreachable.entitlements.allowed("acme", "api-calls")
    assert not unreachable.entitlements.allowed("acme", "sso")


def test_a_feature_without_a_fallback_raises_unreachable(unreachable: Billfold) -> None:
    with pytest.raises(Unreachable):
        unreachable.entitlements.check("acme", "seats")


def test_a_fallback_answer_is_not_cached(
    local_api: LocalApi, subscribed: Callable[..., str]
) -> None:
    customer_id = subscribed()
    wire = Wire(faults=[503])
    with Billfold(
        local_api.server_key,
        local_api.url,
        max_retries=0,
        fallbacks={"api-calls": False},
        http_client=httpx.Client(transport=wire, timeout=30),
    ) as client:
        during = client.entitlements.check(customer_id, "api-calls")
        after = client.entitlements.check(customer_id, "api-calls")

    assert (during["hasAccess"], during["reason"]) == (False, "fallback")
    assert (after["hasAccess"], after["reason"]) == (True, None)
