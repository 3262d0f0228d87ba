"""Webhook endpoints' pure rules: signatures, where deliveries may go, the retry schedule and
what an endpoint may subscribe to."""

import ipaddress
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from billfold.endpoints.addresses import Target, is_allowed, target_of
from billfold.endpoints.deliveries import next_attempt
from billfold.endpoints.models import EndpointCreate
from billfold.endpoints.signing import (
    TOLERANCE_SECONDS,
    InvalidSignature,
    new_secret,
    signature_header,
    verify,
)
from billfold.errors import InvalidInput
from billfold.validation import first_error

SECRET = "whsec_unit_test_secret"
OTHER = "whsec_another_secret"
BODY = b'{"id":"evt_1","type":"invoice.paid","data":{"amountDue":1900}}'
STAMP = 1_900_000_000
CREATED = datetime(2030, 1, 15, 12, 0, 0, tzinfo=UTC)


# Signatures ------------------------------------------------------------------------------------


def test_a_signed_body_verifies() -> None:
    header = signature_header(BODY, STAMP, [SECRET])

    verify(BODY, header, SECRET, now=STAMP)


def test_the_header_is_the_timestamp_then_one_v1_per_secret() -> None:
    header = signature_header(BODY, STAMP, [SECRET, OTHER])

    parts = header.split(",")
    assert parts[0] == f"t={STAMP}"
    assert [p.split("=", 1)[0] for p in parts[1:]] == ["v1", "v1"]
    assert all(len(p.removeprefix("v1=")) == 64 for p in parts[1:])


@given(body=st.binary(max_size=512), secret=st.text(min_size=1, max_size=40))
def test_any_body_signed_with_any_secret_verifies(body: bytes, secret: str) -> None:
    verify(body, signature_header(body, STAMP, [secret]), secret, now=STAMP)


def test_a_fresh_secret_is_prefixed_and_new_each_time() -> None:
    assert new_secret().startswith("whsec_")
    assert new_secret() != new_secret()


def test_the_wrong_secret_is_refused() -> None:
    header = signature_header(BODY, STAMP, [SECRET])

    with pytest.raises(InvalidSignature, match="no signature matches"):
        verify(BODY, header, OTHER, now=STAMP)


def test_a_tampered_body_is_refused() -> None:
    header = signature_header(BODY, STAMP, [SECRET])

    with pytest.raises(InvalidSignature, match="no signature matches"):
        verify(BODY.replace(b"1900", b"9100"), header, SECRET, now=STAMP)


def test_a_tampered_timestamp_is_refused() -> None:
    header = signature_header(BODY, STAMP, [SECRET]).replace(f"t={STAMP}", f"t={STAMP + 1}")

    with pytest.raises(InvalidSignature, match="no signature matches"):
        verify(BODY, header, SECRET, now=STAMP)


@pytest.mark.parametrize("skew", [-TOLERANCE_SECONDS, TOLERANCE_SECONDS])
def test_a_timestamp_at_the_tolerance_passes(skew: int) -> None:
    verify(BODY, signature_header(BODY, STAMP, [SECRET]), SECRET, now=STAMP + skew)


@pytest.mark.parametrize(
    "skew", [TOLERANCE_SECONDS + 1, -(TOLERANCE_SECONDS + 1)], ids=["stale", "future"]
)
def test_a_timestamp_beyond_the_tolerance_is_refused(skew: int) -> None:
    header = signature_header(BODY, STAMP, [SECRET])

    with pytest.raises(InvalidSignature, match="tolerance"):
        verify(BODY, header, SECRET, now=STAMP + skew)


def test_a_receiver_may_widen_the_tolerance() -> None:
    header = signature_header(BODY, STAMP, [SECRET])

    verify(BODY, header, SECRET, tolerance=3600, now=STAMP + 3000)


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("", id="empty"),
        pytest.param("garbage", id="no-fields"),
        pytest.param("v1=abc", id="no-timestamp"),
        pytest.param(f"t={STAMP}", id="no-signature"),
        pytest.param(f"t=abc,v1={'0' * 64}", id="timestamp-not-a-number"),
        pytest.param(f"t=-{STAMP},v1={'0' * 64}", id="negative-timestamp"),
        pytest.param(f"t={STAMP},t={STAMP},v1={'0' * 64}", id="two-timestamps"),
        pytest.param(f"t={STAMP},v0={'0' * 64}", id="other-scheme-only"),
    ],
)
def test_a_malformed_header_is_refused(header: str) -> None:
    with pytest.raises(InvalidSignature, match="malformed"):
        verify(BODY, header, SECRET, now=STAMP)


def test_a_timestamp_of_unicode_digits_is_refused_as_malformed() -> None:
    with pytest.raises(InvalidSignature):
        verify(BODY, f"t=\u00b2,v1={'0' * 64}", SECRET, now=STAMP)


def test_a_non_ascii_signature_is_refused_as_invalid() -> None:
    with pytest.raises(InvalidSignature):
        verify(BODY, f"t={STAMP},v1=\u00e9", SECRET, now=STAMP)


def test_two_v1_values_pass_when_only_the_second_matches() -> None:
    header = signature_header(BODY, STAMP, [OTHER, SECRET])

    verify(BODY, header, SECRET, now=STAMP)


def test_two_v1_values_pass_when_only_the_first_matches() -> None:
    header = signature_header(BODY, STAMP, [SECRET, OTHER])

    verify(BODY, header, SECRET, now=STAMP)


def test_two_v1_values_fail_when_neither_matches() -> None:
    header = signature_header(BODY, STAMP, [OTHER, "whsec_third"])

    with pytest.raises(InvalidSignature):
        verify(BODY, header, SECRET, now=STAMP)


def test_unknown_fields_in_the_header_are_ignored() -> None:
    header = signature_header(BODY, STAMP, [SECRET]) + ",v0=deadbeef,x=1"

    verify(BODY, header, SECRET, now=STAMP)


# Addresses -------------------------------------------------------------------------------------


def test_an_https_url_with_a_host_name_is_a_target() -> None:
    target = target_of("https://hooks.example.com/billing?src=bf", allow_loopback=False)

    assert target == Target("https", "hooks.example.com", 443, "/billing?src=bf")


def test_a_url_without_a_path_targets_the_root_on_its_port() -> None:
    assert target_of("https://hooks.example.com:8443", False) == Target(
        "https", "hooks.example.com", 8443, "/"
    )


def test_a_public_ip_literal_is_a_target() -> None:
    assert target_of("https://93.184.216.34/hook", False).host == "93.184.216.34"


@pytest.mark.parametrize("allow_loopback", [False, True])
def test_plain_http_to_a_public_host_is_refused(allow_loopback: bool) -> None:
    with pytest.raises(InvalidInput, match="https") as raised:
        target_of("http://hooks.example.com/billing", allow_loopback)

    assert raised.value.field == "url"


@pytest.mark.parametrize("url", ["ftp://hooks.example.com/", "file:///etc/passwd", "hooks.test"])
def test_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(InvalidInput):
        target_of(url, allow_loopback=True)


@pytest.mark.parametrize(
    "url", ["http://localhost:8080/hook", "http://127.0.0.1:9000/hook", "http://[::1]:9000/"]
)
def test_plain_http_to_loopback_is_a_target_when_loopback_is_allowed(url: str) -> None:
    target = target_of(url, allow_loopback=True)

    assert target.scheme == "http"
    assert target.port in (8080, 9000)


@pytest.mark.parametrize(
    "url", ["http://localhost:8080/hook", "http://127.0.0.1:9000/hook", "https://127.0.0.1/"]
)
def test_loopback_is_refused_when_not_allowed(url: str) -> None:
    with pytest.raises(InvalidInput):
        target_of(url, allow_loopback=False)


@pytest.mark.parametrize(
    "host",
    [
        "169.254.169.254",
        "10.0.0.1",
        "10.255.255.255",
        "172.16.0.1",
        "172.31.255.254",
        "192.168.1.1",
        "127.0.0.1",
        "127.5.5.5",
        "0.0.0.0",
        "100.64.0.1",
        "[fc00::1]",
        "[fd12:3456::1]",
        "[fe80::1]",
        "[::1]",
        "[::]",
        "[::ffff:10.0.0.1]",
        "[::ffff:169.254.169.254]",
        "[::ffff:192.168.0.1]",
        "[::ffff:127.0.0.1]",
    ],
)
def test_https_to_a_private_or_internal_literal_is_refused(host: str) -> None:
    with pytest.raises(InvalidInput, match="cannot be sent") as raised:
        target_of(f"https://{host}/hook", allow_loopback=False)

    assert raised.value.field == "url"


@pytest.mark.parametrize("host", ["169.254.169.254", "10.0.0.1", "192.168.1.1", "[fc00::1]"])
def test_allowing_loopback_still_refuses_private_addresses(host: str) -> None:
    with pytest.raises(InvalidInput):
        target_of(f"https://{host}/hook", allow_loopback=True)


@pytest.mark.parametrize(
    "url",
    [
        "https://user:pass@hooks.example.com/",
        "https://user@hooks.example.com/",
        "https://:pass@hooks.example.com/",
    ],
)
def test_a_url_with_credentials_is_refused(url: str) -> None:
    with pytest.raises(InvalidInput, match="no user or password"):
        target_of(url, allow_loopback=False)


def test_a_url_without_a_host_is_refused() -> None:
    with pytest.raises(InvalidInput, match="needs a host"):
        target_of("https:///hook", allow_loopback=False)


def test_a_url_with_an_impossible_port_is_refused() -> None:
    with pytest.raises(InvalidInput, match="port"):
        target_of("https://hooks.example.com:99999/", allow_loopback=False)


@pytest.mark.parametrize(
    "address",
    [
        "169.254.169.254",
        "10.1.2.3",
        "172.16.5.4",
        "172.31.0.1",
        "192.168.0.10",
        "127.0.0.1",
        "fc00::1",
        "fdff::1",
        "::1",
        "::ffff:10.1.2.3",
        "::ffff:192.168.0.10",
        "::ffff:169.254.169.254",
        "192.0.2.1",  # documentation: not global
    ],
)
def test_internal_addresses_are_not_allowed(address: str) -> None:
    assert not is_allowed(ipaddress.ip_address(address), allow_loopback=False)


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "172.32.0.1", "172.15.255.255", "2606:4700::1111"]
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert is_allowed(ipaddress.ip_address(address), allow_loopback=False)


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.53", "::1", "::ffff:127.0.0.1"])
def test_loopback_is_allowed_only_when_asked(address: str) -> None:
    assert is_allowed(ipaddress.ip_address(address), allow_loopback=True)
    assert not is_allowed(ipaddress.ip_address(address), allow_loopback=False)


def test_allowing_loopback_allows_nothing_else_private() -> None:
    assert not is_allowed(ipaddress.ip_address("10.0.0.1"), allow_loopback=True)
    assert not is_allowed(ipaddress.ip_address("169.254.169.254"), allow_loopback=True)


def test_a_nat64_address_of_the_metadata_service_is_not_allowed() -> None:
    assert not is_allowed(ipaddress.ip_address("64:ff9b::a9fe:a9fe"), allow_loopback=False)


# Retry schedule --------------------------------------------------------------------------------

SCHEDULE = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
    timedelta(hours=10),
]


@pytest.mark.parametrize(("failures", "wait"), list(enumerate(SCHEDULE, start=1)))
def test_each_failure_waits_its_step_of_the_schedule(failures: int, wait: timedelta) -> None:
    now = CREATED + timedelta(minutes=2)

    assert next_attempt(CREATED, failures, now) == now + wait


def test_a_retry_exactly_three_days_after_creation_is_still_scheduled() -> None:
    now = CREATED + timedelta(days=3) - timedelta(hours=10)

    assert next_attempt(CREATED, 7, now) == CREATED + timedelta(days=3)


def test_a_retry_past_three_days_after_creation_gives_up() -> None:
    now = CREATED + timedelta(days=3) - timedelta(hours=10) + timedelta(seconds=1)

    assert next_attempt(CREATED, 7, now) is None


def test_a_short_wait_near_the_deadline_is_still_scheduled() -> None:
    now = CREATED + timedelta(days=3) - timedelta(minutes=2)

    assert next_attempt(CREATED, 1, now) == now + timedelta(minutes=1)


def test_failing_on_schedule_gives_up_within_three_days() -> None:
    now, failures, attempts = CREATED, 0, [CREATED]
    while True:
        failures += 1
        retry = next_attempt(CREATED, failures, now)
        if retry is None:
            break
        attempts.append(retry)
        now = retry

    assert attempts[-1] <= CREATED + timedelta(days=3)
    assert attempts[-1] + timedelta(hours=10) > CREATED + timedelta(days=3)
    assert [b - a for a, b in itertools.pairwise(attempts)][:6] == SCHEDULE[:6]


# Endpoint requests -----------------------------------------------------------------------------


def _create(event_types: list[str]) -> EndpointCreate:
    return EndpointCreate.model_validate(
        {"id": "orders", "url": "https://hooks.example.com/", "eventTypes": event_types}
    )


def _field_of(event_types: list[str]) -> tuple[str | None, str]:
    with pytest.raises(ValidationError) as raised:
        _create(event_types)
    error = first_error(raised.value.errors())
    return error.field, str(error)


def test_known_event_types_are_accepted() -> None:
    created = _create(["invoice.paid", "subscription.canceled"])

    assert created.event_types == ["invoice.paid", "subscription.canceled"]


def test_every_event_may_be_asked_for_with_a_star() -> None:
    assert _create(["*"]).event_types == ["*"]


def test_an_unknown_event_type_names_its_place_in_the_list() -> None:
    field, message = _field_of(["invoice.paid", "invoice.payed"])

    assert field == "eventTypes.1"
    assert "invoice.payed" in message


def test_the_star_must_stand_alone() -> None:
    field, message = _field_of(["*", "invoice.paid"])

    assert field == "eventTypes"
    assert "stands alone" in message


def test_an_event_type_listed_twice_is_refused() -> None:
    field, message = _field_of(["invoice.paid", "invoice.paid"])

    assert field == "eventTypes"
    assert "twice" in message


def test_an_empty_list_of_event_types_is_refused() -> None:
    field, _ = _field_of([])

    assert field == "eventTypes"


@pytest.mark.parametrize(
    "url",
    [
        "https://[1.2.3.4]/",
        "https://[zzz]/",
        "https://[::1/",
        "https://a..b.example.com/",
        "https://" + "a" * 64 + ".example.com/",
    ],
)
def test_a_malformed_url_is_an_invalid_input_not_a_crash(url):
    with pytest.raises(InvalidInput) as refused:
        target_of(url, allow_loopback=False)

    assert refused.value.field == "url"


@pytest.mark.parametrize("address", ["::a9fe:a9fe", "::127.0.0.1", "::10.0.0.1"])
def test_ipv4_compatible_ipv6_addresses_are_not_allowed(address):
    assert not is_allowed(ipaddress.ip_address(address), allow_loopback=False)
