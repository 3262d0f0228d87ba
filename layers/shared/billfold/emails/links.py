"""Email links: a link in an email opens the portal through a fresh portal session, never
through a short-lived link that expires in the mailbox.

A link token is signed with a key derived from the portal signing secret (so it can never
pass as a portal token), names its customer and the portal section to open, and is valid for
30 days. `GET /v1/links/{token}` checks it, mints a portal session and redirects to the portal.
"""

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from billfold.auth.portal_sessions import PortalSessionCreate, create_portal_session
from billfold.errors import ErrorCode, Unauthorized
from billfold.identifiers import CUSTOMER_ID_PATTERN
from billfold.storage.table import Table

LINK_PREFIX = "bf_ln_"
LINK_LIFETIME = timedelta(days=30)
View = Literal["subscription", "payment", "invoices"]
"""The portal section a link opens."""
VIEWS: tuple[View, ...] = ("subscription", "payment", "invoices")


@dataclass(frozen=True)
class LinkClaims:
    """Whose portal a link opens, at which section."""

    customer_id: str
    view: View


def _key(portal_secret: bytes) -> bytes:
    return hmac.new(portal_secret, b"billfold email links", hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _signature(portal_secret: bytes, payload: str) -> str:
    return _b64(hmac.new(_key(portal_secret), payload.encode(), hashlib.sha256).digest())


def mint_link(portal_secret: bytes, customer_id: str, view: View, now: datetime) -> str:
    """A link token opening `view` of the customer's portal, valid for 30 days."""
    claims = {"sub": customer_id, "view": view, "exp": int((now + LINK_LIFETIME).timestamp())}
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{LINK_PREFIX}{payload}.{_signature(portal_secret, payload)}"


def verify_link(portal_secret: bytes, token: str, now: datetime) -> LinkClaims | None:
    """The link's claims if it is ours and unexpired; else None."""
    payload, _, signature = token.removeprefix(LINK_PREFIX).partition(".")
    if not token.startswith(LINK_PREFIX) or not hmac.compare_digest(
        signature.encode(), _signature(portal_secret, payload).encode()
    ):
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        customer_id, view, expires = claims["sub"], claims["view"], claims["exp"]
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(customer_id, str) or not re.fullmatch(CUSTOMER_ID_PATTERN, customer_id):
        return None
    if view not in VIEWS or not isinstance(expires, int):
        return None
    if now >= datetime.fromtimestamp(expires, UTC):
        return None
    return LinkClaims(customer_id, view)


def open_link(
    table: Table,
    portal_secret: bytes,
    token: str,
    *,
    now: datetime,
    lifetime: timedelta,
    page: str,
) -> str:
    """The portal URL a link opens: a fresh portal session for its customer, at its section
    (`view` in the fragment, after the token). An unknown or expired link is Unauthorized."""
    claims = verify_link(portal_secret, token, now)
    if claims is None:
        raise Unauthorized(
            "this link is not valid any more: open your account from the app instead",
            code=ErrorCode.UNAUTHORIZED,
        )
    session = create_portal_session(
        table,
        portal_secret,
        PortalSessionCreate(customer_id=claims.customer_id),
        now=now,
        lifetime=lifetime,
        page=page,
    )
    return f"{session.url}&view={claims.view}"
