"""Portal tokens: short-lived, HMAC-signed, bound to one customer. No storage needed to check."""

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from billfold.identifiers import CUSTOMER_ID_PATTERN

PORTAL_TOKEN_PREFIX = "bf_pt_"


@dataclass(frozen=True)
class PortalClaims:
    """Who a valid portal token speaks for, and until when."""

    customer_id: str
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, payload.encode(), hashlib.sha256).digest())


def _is_customer_id(value: object) -> bool:
    return isinstance(value, str) and re.fullmatch(CUSTOMER_ID_PATTERN, value) is not None


def mint_portal_token(secret: bytes, customer_id: str, expires_at: datetime) -> str:
    """A token that lets its bearer act as `customer_id` until `expires_at`.

    The id ends up in the authorizer's IAM policy, so only a well-formed id is ever signed.
    """
    if not _is_customer_id(customer_id):
        raise ValueError(f"not a customer id: {customer_id!r}")
    claims = {"sub": customer_id, "exp": int(expires_at.timestamp())}
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{PORTAL_TOKEN_PREFIX}{payload}.{_signature(secret, payload)}"


def verify_portal_token(secret: bytes, token: str, now: datetime) -> PortalClaims | None:
    """The token's claims if its signature is ours and it has not expired; else None."""
    if not token.startswith(PORTAL_TOKEN_PREFIX):
        return None
    payload, _, signature = token.removeprefix(PORTAL_TOKEN_PREFIX).partition(".")
    if not hmac.compare_digest(signature.encode(), _signature(secret, payload).encode()):
        return None
    try:
        claims = json.loads(_unb64(payload))
        customer_id, expires = claims["sub"], claims["exp"]
    except (ValueError, KeyError, TypeError):
        return None
    if not _is_customer_id(customer_id) or not isinstance(expires, int):
        return None
    expires_at = datetime.fromtimestamp(expires, UTC)
    return PortalClaims(customer_id, expires_at) if now < expires_at else None
