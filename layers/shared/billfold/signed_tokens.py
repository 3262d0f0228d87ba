"""Stateless bearer tokens: a prefix, base64url JSON claims and their HMAC-SHA256.

The signature covers the prefix too: a token of one kind can never pass for another kind
signed with the same secret (a checkout token renamed into a portal token)."""

import base64
import hashlib
import hmac
import json
from typing import Any


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, payload.encode(), hashlib.sha256).digest())


def mint(secret: bytes, prefix: str, claims: dict[str, Any]) -> str:
    """`claims`, signed, behind `prefix`."""
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{prefix}{payload}.{_signature(secret, prefix + payload)}"


def verified_claims(secret: bytes, prefix: str, token: str) -> dict[str, Any] | None:
    """The claims of a token with `prefix` that `secret` signed, or None."""
    if not token.startswith(prefix):
        return None
    payload, _, signature = token.removeprefix(prefix).partition(".")
    expected = _signature(secret, prefix + payload)
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        return None
    try:
        claims = json.loads(_unb64(payload))
    except ValueError:
        return None
    return claims if isinstance(claims, dict) else None
