"""Webhook signatures, modelled on Stripe's: `Billfold-Signature: t=<unix time>,v1=<hex>`
where v1 is the HMAC-SHA256 of `<t>.<raw body>` under the endpoint's secret.

While a rolled secret's old value is still valid, each delivery carries two v1 values.
`verify` is what a receiver runs (standard library only: copy it into any Python app).
"""

import hashlib
import hmac
import secrets
import time

HEADER = "Billfold-Signature"
TOLERANCE_SECONDS = 300
"""How far a signature's timestamp may be from the receiver's clock (replays are refused)."""


def new_secret() -> str:
    """A fresh signing secret."""
    return f"whsec_{secrets.token_urlsafe(32)}"


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(body: bytes, timestamp: int, secrets_in_use: list[str]) -> str:
    """The header value signing `body` at `timestamp` with each secret in use."""
    parts = [f"t={timestamp}"] + [f"v1={_digest(s, timestamp, body)}" for s in secrets_in_use]
    return ",".join(parts)


class InvalidSignature(Exception):
    """The signature header does not match the body, or is too old (or too new)."""


def verify(
    body: bytes,
    header: str,
    secret: str,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> None:
    """Check a delivery: `body` is the raw request body (bytes, before any JSON parsing),
    `header` the Billfold-Signature header. Raises InvalidSignature, else returns None."""
    fields = [part.split("=", 1) for part in header.split(",") if "=" in part]
    stamps = [value for name, value in fields if name == "t"]
    signatures = [value for name, value in fields if name == "v1"]
    if len(stamps) != 1 or not (stamps[0].isascii() and stamps[0].isdigit()) or not signatures:
        raise InvalidSignature("malformed Billfold-Signature header")
    timestamp = int(stamps[0])
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        raise InvalidSignature("the signature's timestamp is outside the tolerance")
    expected = _digest(secret, timestamp, body).encode()
    if not any(hmac.compare_digest(expected, candidate.encode()) for candidate in signatures):
        raise InvalidSignature("no signature matches the body")
