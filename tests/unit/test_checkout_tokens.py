"""Checkout tokens: HMAC-signed, bound to one session and its customer, valid a day past the
session's expiry; checked without storage."""

import base64
import json
import string
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billfold.auth.portal_tokens import mint_portal_token, verify_portal_token
from billfold.checkout.tokens import (
    CHECKOUT_TOKEN_PREFIX,
    GRACE,
    CheckoutClaims,
    mint_checkout_token,
    verify_checkout_token,
)
from billfold.signed_tokens import _signature, mint, verified_claims

SECRET = b"portal-signing-secret-for-unit-tests"
NOW = datetime(2030, 1, 15, 12, 0, 0, tzinfo=UTC)
SESSION_EXPIRES = NOW + timedelta(hours=1)
SESSION = "cs_" + "0123456789abcdef" * 2

SESSION_IDS = st.from_regex(r"cs_[a-f0-9]{32}", fullmatch=True)


def _token(
    session_id: str = SESSION, customer_id: str = "acme-42", expires_at: datetime = SESSION_EXPIRES
) -> str:
    return mint_checkout_token(SECRET, session_id, customer_id, expires_at)


def _with_claims(claims: object, secret: bytes = SECRET) -> str:
    """A correctly signed checkout token around arbitrary claims (as if the secret leaked)."""
    raw = claims if isinstance(claims, bytes) else json.dumps(claims).encode()
    payload = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return f"{CHECKOUT_TOKEN_PREFIX}{payload}.{_signature(secret, payload)}"


# --- signed_tokens ----------------------------------------------------------------------------


def test_mint_then_verify_round_trips_the_claims() -> None:
    claims = {"a": 1, "b": ["x", None], "c": {"d": "é"}}

    token = mint(SECRET, "bf_xx_", claims)

    assert token.startswith("bf_xx_")
    assert verified_claims(SECRET, "bf_xx_", token) == claims


def test_verified_claims_refuses_another_prefix_secret_or_signature() -> None:
    token = mint(SECRET, "bf_xx_", {"a": 1})

    assert verified_claims(SECRET, "bf_yy_", token) is None
    assert verified_claims(b"another-secret", "bf_xx_", token) is None
    assert verified_claims(SECRET, "bf_xx_", token + "A") is None
    assert verified_claims(SECRET, "bf_xx_", token.partition(".")[0]) is None


@pytest.mark.parametrize("claims", [[1, 2], "text", 42, None], ids=str)
def test_verified_claims_is_none_for_signed_claims_that_are_not_an_object(claims: object) -> None:
    assert verified_claims(SECRET, "bf_xx_", mint(SECRET, "bf_xx_", claims)) is None  # type: ignore[arg-type]


# --- checkout tokens --------------------------------------------------------------------------


def test_minted_token_verifies_to_its_session_and_customer() -> None:
    assert verify_checkout_token(SECRET, _token(), NOW) == CheckoutClaims(SESSION, "acme-42")


def test_token_has_the_prefix_and_is_url_and_header_safe() -> None:
    token = _token()

    assert token.startswith(CHECKOUT_TOKEN_PREFIX)
    assert set(token) <= set(string.ascii_letters + string.digits + "-_.")
    assert token.count(".") == 1


def test_token_is_valid_until_one_day_past_the_sessions_expiry() -> None:
    token = _token()
    end = SESSION_EXPIRES + GRACE

    assert timedelta(days=1) == GRACE
    assert verify_checkout_token(SECRET, token, SESSION_EXPIRES) is not None
    assert verify_checkout_token(SECRET, token, SESSION_EXPIRES + timedelta(hours=23)) is not None
    assert verify_checkout_token(SECRET, token, end - timedelta(seconds=1)) is not None
    assert verify_checkout_token(SECRET, token, end) is None
    assert verify_checkout_token(SECRET, token, end + timedelta(days=30)) is None


def test_token_expiry_is_kept_to_the_second() -> None:
    token = _token(expires_at=SESSION_EXPIRES + timedelta(microseconds=900))
    end = SESSION_EXPIRES + GRACE

    assert verify_checkout_token(SECRET, token, end - timedelta(microseconds=1)) is not None
    assert verify_checkout_token(SECRET, token, end) is None


def test_token_signed_with_another_secret_is_refused() -> None:
    token = mint_checkout_token(b"another-secret", SESSION, "acme-42", SESSION_EXPIRES)

    assert verify_checkout_token(SECRET, token, NOW) is None


def test_token_for_another_session_cannot_be_made_from_a_valid_one() -> None:
    mine = _token(SESSION)
    other = _token("cs_" + "f" * 32)
    other_payload = other.removeprefix(CHECKOUT_TOKEN_PREFIX).split(".")[0]
    my_signature = mine.split(".")[1]

    forged = f"{CHECKOUT_TOKEN_PREFIX}{other_payload}.{my_signature}"

    assert verify_checkout_token(SECRET, forged, NOW) is None


def test_portal_and_checkout_tokens_are_not_interchangeable() -> None:
    """Both are signed with the portal signing secret: the prefix keeps them apart."""
    checkout = _token()
    portal = mint_portal_token(SECRET, "acme-42", SESSION_EXPIRES)
    checkout_body = checkout.removeprefix(CHECKOUT_TOKEN_PREFIX)
    portal_body = portal.removeprefix("bf_pt_")

    assert verify_checkout_token(SECRET, portal, NOW) is None
    assert verify_checkout_token(SECRET, CHECKOUT_TOKEN_PREFIX + portal_body, NOW) is None
    assert verify_portal_token(SECRET, checkout, NOW) is None
    assert verify_portal_token(SECRET, "bf_pt_" + checkout_body, NOW) is None


@pytest.mark.parametrize(
    "session_id",
    [
        "",
        "cs_",
        "cs_" + "a" * 31,
        "cs_" + "a" * 33,
        "cs_" + "A" * 32,
        "cs_" + "g" * 32,
        "sub_" + "a" * 32,
        "cs_" + "a" * 31 + "*",
        "cs_" + "a" * 32 + "\n",
        "cs_" + "a" * 16 + "/" + "a" * 15,
    ],
    ids=[
        "empty",
        "bare-prefix",
        "short",
        "long",
        "upper",
        "not-hex",
        "other-prefix",
        "wildcard",
        "newline",
        "slash",
    ],
)
def test_only_well_formed_session_ids_are_ever_signed(session_id: str) -> None:
    with pytest.raises(ValueError, match="checkout session id"):
        mint_checkout_token(SECRET, session_id, "acme-42", SESSION_EXPIRES)


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "acme", "exp": 4_000_000_000},
        {"sid": SESSION, "exp": 4_000_000_000},
        {"sid": SESSION, "sub": "acme"},
        {"sid": "cs_*", "sub": "acme", "exp": 4_000_000_000},
        {"sid": "cs_" + "a" * 32 + "/*", "sub": "acme", "exp": 4_000_000_000},
        {"sid": 7, "sub": "acme", "exp": 4_000_000_000},
        {"sid": SESSION, "sub": 42, "exp": 4_000_000_000},
        {"sid": SESSION, "sub": "acme", "exp": "4000000000"},
        {"sid": SESSION, "sub": "acme", "exp": 4_000_000_000.5},
        [SESSION, "acme", 4_000_000_000],
        b"not json",
        b"\xff\xfe",
    ],
    ids=[
        "no-sid",
        "no-sub",
        "no-exp",
        "wildcard-sid",
        "sid-with-path",
        "int-sid",
        "int-sub",
        "string-exp",
        "float-exp",
        "list",
        "not-json",
        "binary",
    ],
)
def test_signed_but_malformed_claims_are_refused_not_raised(claims: object) -> None:
    assert verify_checkout_token(SECRET, _with_claims(claims), NOW) is None


@pytest.mark.parametrize(
    "token",
    [
        "",
        SESSION,
        CHECKOUT_TOKEN_PREFIX,
        CHECKOUT_TOKEN_PREFIX + ".",
        CHECKOUT_TOKEN_PREFIX + "payload-without-signature",
        "bf_sk_" + "a" * 43,
    ],
)
def test_malformed_tokens_are_refused(token: str) -> None:
    assert verify_checkout_token(SECRET, token, NOW) is None


def test_non_ascii_signature_is_refused_not_raised() -> None:
    assert verify_checkout_token(SECRET, _token() + "é", NOW) is None


@given(
    session_id=SESSION_IDS,
    customer_id=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}", fullmatch=True),
    minutes=st.integers(min_value=5, max_value=24 * 60),
)
def test_any_session_round_trips_until_its_grace_ends(
    session_id: str, customer_id: str, minutes: int
) -> None:
    expires_at = NOW + timedelta(minutes=minutes)
    token = mint_checkout_token(SECRET, session_id, customer_id, expires_at)

    assert verify_checkout_token(SECRET, token, NOW) == CheckoutClaims(session_id, customer_id)
    assert verify_checkout_token(SECRET, token, expires_at + GRACE) is None
