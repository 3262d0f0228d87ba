"""The client: every route as a typed method (generated), over one transport."""

import httpx

from billfold_sdk._generated import (
    ConsumeRequest,
    EventBatch,
    EventBatchResult,
    Operations,
    UsageReport,
    UsageResult,
)
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

    def report_usage(self, body: UsageReport) -> UsageResult:
        """POST /v1/usage: report usage; this client's cached checks of the customer are
        dropped."""
        result = super().report_usage(body)
        self.entitlements.invalidate(body["customerId"])
        return result

    def consume_usage(self, customer_id: str, feature_id: str, body: ConsumeRequest) -> UsageResult:
        """POST /v1/customers/{customerId}/usage/{featureId}/consume: use more of a feature if
        its limit allows; this client's cached checks of the customer are dropped."""
        result = super().consume_usage(customer_id, feature_id, body)
        self.entitlements.invalidate(customer_id)
        return result

    def ingest_events(self, body: EventBatch) -> EventBatchResult:
        """POST /v1/events: report raw usage events; this client's cached checks of their
        customers are dropped."""
        result = super().ingest_events(body)
        for customer_id in {event["customerId"] for event in body["events"]}:
            self.entitlements.invalidate(customer_id)
        return result

    def close(self) -> None:
        """Close the connection pool."""
        self._transport.close()

    def __enter__(self) -> "Billfold":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
