"""The HTTP transport: the bearer credential, JSON, typed errors and retries.

A retry repeats the very same request: a body that takes an `idempotencyKey` gets one before
the first attempt (unless the caller gave one), so a report or a consume retried after a lost
answer counts once; every other billfold write is safe to repeat by design.
"""

import time
import uuid
from typing import Any

import httpx

from billfold_sdk.errors import Unreachable, error_for

RETRIED_STATUSES = frozenset({429, 502, 503, 504})


class Transport:
    """Calls billfold at `base_url` with one credential."""

    def __init__(
        self,
        base_url: str,
        credential: str,
        *,
        timeout: float = 10.0,
        max_retries: int = 2,
        backoff: float = 0.25,
        client: httpx.Client | None = None,
    ) -> None:
        self.max_retries = max_retries
        self.backoff = backoff
        self._client = client or httpx.Client(timeout=timeout)
        self._base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {credential}", "User-Agent": "billfold-sdk"}

    def call(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        idempotent: bool = False,
    ) -> Any:
        """The JSON answer of one request; a BillfoldError subclass when refused."""
        if body is not None and idempotent and not body.get("idempotencyKey"):
            body = {**body, "idempotencyKey": f"sdk-{uuid.uuid4().hex}"}
        params = {k: _wire(v) for k, v in (query or {}).items() if v is not None}
        for attempt in range(self.max_retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                response = self._client.request(
                    method, self._base_url + path, params=params, json=body, headers=self._headers
                )
            except httpx.TransportError as error:
                if attempt == self.max_retries:
                    raise Unreachable(f"billfold could not be reached: {error}") from error
                continue
            if response.status_code in RETRIED_STATUSES and attempt < self.max_retries:
                continue
            if response.is_success:
                return response.json() if response.content else None
            raise error_for(response.status_code, _json(response))
        raise AssertionError("unreachable")  # the loop always returns or raises

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()


def _wire(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if hasattr(value, "isoformat") else value


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
