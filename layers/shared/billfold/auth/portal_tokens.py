"""Portal tokens: short-lived, HMAC-signed, bound to one customer. No storage needed to check."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from billfold.identifiers import CUSTOMER_ID_PATTERN
from billfold.signed_tokens import mint, verified_claims

PORTAL_TOKEN_PREFIX = "bf_pt_"


@dataclass(frozen=True)
class PortalClaims:
    """Who a valid portal token speaks for, and until when."""

    customer_id: str
    expires_at: datetime


def is_customer_id(value: object) -> bool:
    """Whether `value` is a well-formed customer id (safe inside an IAM policy's resource)."""
    return isinstance(value, str) and re.fullmatch(CUSTOMER_ID_PATTERN, value) is not None


def mint_portal_token(secret: bytes, customer_id: str, expires_at: datetime) -> str:
    """A token that lets its bearer act as `customer_id` until `expires_at`.

    The id ends up in the authorizer's IAM policy, so only a well-formed id is ever signed.
    """
    if not is_customer_id(customer_id):
        raise ValueError(f"not a customer id: {customer_id!r}")
    return mint(
        secret, PORTAL_TOKEN_PREFIX, {"sub": customer_id, "exp": int(expires_at.timestamp())}
    )


def verify_portal_token(secret: bytes, token: str, now: datetime) -> PortalClaims | None:
    """The token's claims if its signature is ours and it has not expired; else None."""
    claims = verified_claims(secret, PORTAL_TOKEN_PREFIX, token)
    if claims is None:
        return None
    customer_id, expires = claims.get("sub"), claims.get("exp")
    if not is_customer_id(customer_id) or not isinstance(expires, int):
        return None
    expires_at = datetime.fromtimestamp(expires, UTC)
    return PortalClaims(str(customer_id), expires_at) if now < expires_at else None
