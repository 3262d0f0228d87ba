"""Portal tokens: HMAC-signed, customer-bound, short-lived; checked without storage."""

import base64
import json
import string
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billfold.auth.portal_tokens import (
    PORTAL_TOKEN_PREFIX,
    PortalClaims,
    mint_portal_token,
    verify_portal_token,
)
from billfold.signed_tokens import _signature

SECRET = b"portal-signing-secret-for-unit-tests"
NOW = datetime(2030, 1, 15, 12, 0, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)

CUSTOMER_IDS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}", fullmatch=True)
"""Every id the CustomerId pattern accepts."""


def _token(customer_id: str = "acme-42", expires_at: datetime = LATER) -> str:
    return mint_portal_token(SECRET, customer_id, expires_at)


def _with_payload(claims: object, secret: bytes = SECRET) -> str:
    """A correctly signed token around an arbitrary payload (as if the secret leaked)."""
    raw = claims if isinstance(claims, bytes) else json.dumps(claims).encode()
    payload = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return f"{PORTAL_TOKEN_PREFIX}{payload}.{_signature(secret, PORTAL_TOKEN_PREFIX + payload)}"


def test_minted_token_verifies_to_its_customer_and_expiry() -> None:
    claims = verify_portal_token(SECRET, _token(), NOW)

    assert claims == PortalClaims("acme-42", LATER)


def test_token_has_the_prefix_and_is_url_and_header_safe() -> None:
    token = _token()

    assert token.startswith(PORTAL_TOKEN_PREFIX)
    assert set(token) <= set(string.ascii_letters + string.digits + "-_.")
    assert token.count(".") == 1


def test_token_expiry_is_kept_to_the_second() -> None:
    claims = verify_portal_token(
        SECRET, _token(expires_at=LATER + timedelta(microseconds=900)), NOW
    )

    assert claims is not None
    assert claims.expires_at == LATER


def test_token_is_valid_until_just_before_it_expires() -> None:
    token = _token()

    assert verify_portal_token(SECRET, token, LATER - timedelta(seconds=1)) is not None
    assert verify_portal_token(SECRET, token, LATER) is None
    assert verify_portal_token(SECRET, token, LATER + timedelta(days=1)) is None


def test_expired_token_is_refused() -> None:
    token = _token(expires_at=NOW - timedelta(minutes=1))

    assert verify_portal_token(SECRET, token, NOW) is None


def test_token_signed_with_another_secret_is_refused() -> None:
    token = mint_portal_token(b"some-other-secret", "acme-42", LATER)

    assert verify_portal_token(SECRET, token, NOW) is None


def test_token_with_a_swapped_payload_is_refused() -> None:
    victim = _token("victim")
    attacker = _token("attacker")
    victim_payload = victim.removeprefix(PORTAL_TOKEN_PREFIX).split(".")[0]
    attacker_signature = attacker.split(".")[1]

    forged = f"{PORTAL_TOKEN_PREFIX}{victim_payload}.{attacker_signature}"

    assert verify_portal_token(SECRET, forged, NOW) is None


def test_token_with_a_re_encoded_payload_is_refused() -> None:
    token = _token("acme-42", expires_at=NOW - timedelta(hours=1))
    _, signature = token.removeprefix(PORTAL_TOKEN_PREFIX).split(".")
    extended = {"sub": "acme-42", "exp": int((NOW + timedelta(days=365)).timestamp())}
    payload = base64.urlsafe_b64encode(json.dumps(extended).encode()).decode().rstrip("=")

    assert verify_portal_token(SECRET, f"{PORTAL_TOKEN_PREFIX}{payload}.{signature}", NOW) is None


@pytest.mark.parametrize(
    "token",
    [
        "",
        "acme-42",
        "bf_sk_" + "a" * 43,
        "Bearer bf_pt_x.y",
        PORTAL_TOKEN_PREFIX,
        PORTAL_TOKEN_PREFIX + ".",
        PORTAL_TOKEN_PREFIX + "payload-without-signature",
    ],
)
def test_malformed_tokens_are_refused(token: str) -> None:
    assert verify_portal_token(SECRET, token, NOW) is None


def test_token_without_its_prefix_is_refused() -> None:
    token = _token()

    assert verify_portal_token(SECRET, token.removeprefix(PORTAL_TOKEN_PREFIX), NOW) is None
    assert verify_portal_token(SECRET, "bf_px_" + token.removeprefix("bf_pt_"), NOW) is None


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": 4_000_000_000},
        {"sub": "acme"},
        {"sub": 42, "exp": 4_000_000_000},
        {"sub": "acme", "exp": "4000000000"},
        {"sub": "acme", "exp": 4_000_000_000.5},
        ["acme", 4_000_000_000],
        b"not json",
        b"\xff\xfe",
    ],
    ids=["no-sub", "no-exp", "int-sub", "string-exp", "float-exp", "list", "not-json", "binary"],
)
def test_signed_but_malformed_claims_are_refused_not_raised(claims: object) -> None:
    assert verify_portal_token(SECRET, _with_payload(claims), NOW) is None


@given(customer_id=CUSTOMER_IDS, lifetime=st.integers(min_value=1, max_value=86_400 * 30))
def test_any_valid_customer_id_round_trips(customer_id: str, lifetime: int) -> None:
    expires_at = NOW + timedelta(seconds=lifetime)

    claims = verify_portal_token(SECRET, mint_portal_token(SECRET, customer_id, expires_at), NOW)

    assert claims == PortalClaims(customer_id, expires_at)


_TOKEN = mint_portal_token(SECRET, "acme-42", LATER)
_ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)


@st.composite
def _mutations(draw: st.DrawFn) -> str:
    """The token with one character replaced, deleted or inserted (printable ASCII)."""
    kind = draw(st.sampled_from(["replace", "delete", "insert"]))
    if kind == "insert":
        at = draw(st.integers(0, len(_TOKEN)))
        return _TOKEN[:at] + draw(_ASCII) + _TOKEN[at:]
    at = draw(st.integers(0, len(_TOKEN) - 1))
    if kind == "delete":
        return _TOKEN[:at] + _TOKEN[at + 1 :]
    replacement = draw(_ASCII.filter(lambda c: c != _TOKEN[at]))
    return _TOKEN[:at] + replacement + _TOKEN[at + 1 :]


@given(mutated=_mutations())
def test_any_single_character_mutation_fails_verification(mutated: str) -> None:
    assert mutated != _TOKEN
    assert verify_portal_token(SECRET, _TOKEN, NOW) is not None

    assert verify_portal_token(SECRET, mutated, NOW) is None


def test_non_ascii_character_in_the_payload_is_refused() -> None:
    payload, signature = _TOKEN.removeprefix(PORTAL_TOKEN_PREFIX).split(".")

    assert verify_portal_token(SECRET, f"{PORTAL_TOKEN_PREFIX}é{payload}.{signature}", NOW) is None


def test_non_ascii_character_in_the_signature_is_refused_not_raised() -> None:
    payload, signature = _TOKEN.removeprefix(PORTAL_TOKEN_PREFIX).split(".")

    assert verify_portal_token(SECRET, f"{PORTAL_TOKEN_PREFIX}{payload}.{signature}é", NOW) is None


@pytest.mark.parametrize("customer_id", ["x*", "a/*", "", "has space", "#1"])
def test_only_well_formed_customer_ids_are_ever_signed(customer_id):
    with pytest.raises(ValueError, match="customer id"):
        mint_portal_token(b"secret", customer_id, NOW + timedelta(hours=1))
