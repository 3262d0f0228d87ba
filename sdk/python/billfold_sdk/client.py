"""The client: every route as a typed method (generated), over one transport."""

import httpx

from billfold_sdk._generated import Operations
from billfold_sdk.entitlements import CachedEntitlements, Fallbacks
from billfold_sdk.transport import Transport


class Billfold(Operations):
    """billfold at `base_url`, called with `api_key` (a server key, or a portal or checkout
    token for the routes those reach).

    `entitlements` answers checks from an in-process cache (`cache_ttl` seconds) and, when
    billfold cannot be reached, from `fallbacks` (feature id → whether to allow it).
    """

    def __init__(
        self,
        api_key: str,
        base_url: str,
        *,
        timeout: float = 10.0,
        max_retries: int = 2,
        cache_ttl: float = 30.0,
        fallbacks: Fallbacks | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        self._transport = Transport(
            base_url, api_key, timeout=timeout, max_retries=max_retries, client=http_client
        )
        self.entitlements = CachedEntitlements(self, ttl=cache_ttl, fallbacks=fallbacks)

    def close(self) -> None:
        """Close the connection pool."""
        self._transport.close()

    def __enter__(self) -> "Billfold":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
