"""Checkout tokens: HMAC-signed, bound to one session (and its customer). The authorizer lets
one reach only that session's checkout routes, so it is as narrow as a portal token."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from billfold.identifiers import CHECKOUT_SESSION_ID_PATTERN
from billfold.signed_tokens import mint, verified_claims

CHECKOUT_TOKEN_PREFIX = "bf_ct_"
GRACE = timedelta(days=1)
"""A token outlives its session by a day, so an expired session is answered as such (410),
not with a bare 401."""


@dataclass(frozen=True)
class CheckoutClaims:
    """The session a valid checkout token opens."""

    session_id: str
    customer_id: str


def mint_checkout_token(
    secret: bytes, session_id: str, customer_id: str, expires_at: datetime
) -> str:
    """A token for one session, valid a day past the session's own expiry."""
    if not re.fullmatch(CHECKOUT_SESSION_ID_PATTERN, session_id):
        raise ValueError(f"not a checkout session id: {session_id!r}")
    claims = {"sid": session_id, "sub": customer_id, "exp": int((expires_at + GRACE).timestamp())}
    return mint(secret, CHECKOUT_TOKEN_PREFIX, claims)


def verify_checkout_token(secret: bytes, token: str, now: datetime) -> CheckoutClaims | None:
    """The token's session if its signature is ours and it has not expired; else None."""
    claims = verified_claims(secret, CHECKOUT_TOKEN_PREFIX, token)
    if claims is None:
        return None
    session_id, customer_id, expires = claims.get("sid"), claims.get("sub"), claims.get("exp")
    if not isinstance(session_id, str) or not re.fullmatch(CHECKOUT_SESSION_ID_PATTERN, session_id):
        return None
    if not isinstance(customer_id, str) or not isinstance(expires, int):
        return None
    if now >= datetime.fromtimestamp(expires, UTC):
        return None
    return CheckoutClaims(session_id, customer_id)
