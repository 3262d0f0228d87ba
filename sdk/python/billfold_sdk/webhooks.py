"""Verifying billfold's webhooks: `Billfold-Signature: t=<unix time>,v1=<hex>`, the HMAC-SHA256
of `<t>.<raw body>` under the endpoint's secret (two v1 values while a rolled secret's old
value is still valid)."""

import hashlib
import hmac
import json
import time
from typing import Any

SIGNATURE_HEADER = "Billfold-Signature"
TOLERANCE_SECONDS = 300


class InvalidSignature(Exception):
    """The signature does not match the body, or its timestamp is too far from now."""


def construct_event(
    body: bytes, signature: str, secret: str, *, tolerance: int = TOLERANCE_SECONDS
) -> dict[str, Any]:
    """The event in a delivery, once its signature is verified (`body`: the raw bytes)."""
    fields = [part.split("=", 1) for part in signature.split(",") if "=" in part]
    stamps = [value for name, value in fields if name == "t"]
    candidates = [value for name, value in fields if name == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit() or not candidates:
        raise InvalidSignature(f"malformed {SIGNATURE_HEADER} header")
    if abs(time.time() - int(stamps[0])) > tolerance:
        raise InvalidSignature("the signature's timestamp is outside the tolerance")
    signed = stamps[0].encode() + b"." + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise InvalidSignature("no signature matches the body")
    event: dict[str, Any] = json.loads(body)
    return event
