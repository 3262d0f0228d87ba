"""Entitlement checks off the hot path's network: answers cached in-process for a TTL, dropped
as soon as billfold's events say a customer's entitlements or usage changed, and the seller's
fallbacks when billfold cannot be reached."""

import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

from billfold_sdk._generated import EntitlementCheck
from billfold_sdk.errors import RateLimited, ServerError, Unreachable

if TYPE_CHECKING:
    from billfold_sdk._generated import Operations

Fallbacks = Mapping[str, bool]
"""Feature id → the access to grant while billfold cannot be reached."""

INVALIDATING_EVENTS = (
    "subscription.",
    "entitlements.",
    "usage.",
    "credits.",
    "checkout.",
    "invoice.payment_failed",
)
"""Event types after which a customer's cached checks may be stale."""


class CachedEntitlements:
    """`check` and `allowed` from an in-process cache, keyed by customer, feature and amount."""

    def __init__(
        self,
        api: "Operations",
        *,
        ttl: float,
        fallbacks: Fallbacks | None = None,
        seconds: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api = api
        self._ttl = ttl
        self._fallbacks = dict(fallbacks or {})
        self._seconds = seconds
        self._cache: dict[tuple[str, str, int], tuple[float, EntitlementCheck]] = {}
        self._generations: dict[str | None, int] = {}
        """Bumped per customer (None: everyone) by each invalidation: an answer fetched
        before one is never cached after it."""
        self._lock = threading.Lock()

    def check(self, customer_id: str, feature_id: str, requested: int = 1) -> EntitlementCheck:
        """billfold's answer, from the cache while it is fresh. When billfold cannot be reached
        (network, 5xx, throttled), the seller's fallback for the feature (`reason: fallback`),
        or the error if there is none."""
        key = (customer_id, feature_id, requested)
        now = self._seconds()
        with self._lock:
            cached = self._cache.get(key)
            generation = self._generation(customer_id)
        if cached and cached[0] > now:
            return cached[1]
        try:
            answer = self._api.check_entitlement(customer_id, feature_id, requested=requested)
        except (Unreachable, ServerError, RateLimited):
            if feature_id not in self._fallbacks:
                raise
            return fallback_check(feature_id, requested, self._fallbacks[feature_id])
        with self._lock:
            if self._generation(customer_id) == generation:
                self._cache[key] = (now + self._ttl, answer)
        return answer

    def _generation(self, customer_id: str) -> tuple[int, int]:
        return self._generations.get(customer_id, 0), self._generations.get(None, 0)

    def allowed(self, customer_id: str, feature_id: str, requested: int = 1) -> bool:
        """Whether the customer may use `requested` more of the feature now."""
        return self.check(customer_id, feature_id, requested)["hasAccess"]

    def invalidate(self, customer_id: str | None = None) -> None:
        """Forget one customer's cached answers (or everyone's)."""
        with self._lock:
            self._generations[customer_id] = self._generations.get(customer_id, 0) + 1
            for key in [k for k in self._cache if customer_id in (None, k[0])]:
                del self._cache[key]

    def handle_event(self, event: Mapping[str, Any]) -> bool:
        """Drop what an event from billfold (a verified webhook or an EventBridge detail) makes
        stale; whether it dropped anything."""
        kind, customer_id = str(event.get("type", "")), event.get("customerId")
        if not kind.startswith(INVALIDATING_EVENTS):
            return False
        self.invalidate(customer_id if isinstance(customer_id, str) else None)
        return True


def fallback_check(feature_id: str, requested: int, access: bool) -> EntitlementCheck:
    """The answer a fallback gives: `reason: "fallback"` (a value billfold never answers) says
    it did not come from billfold."""
    answer: dict[str, Any] = {
        "featureId": feature_id,
        "hasAccess": access,
        "unlimited": False,
        "limit": None,
        "usage": 0,
        "remaining": None,
        "requested": requested,
        "periodStart": None,
        "periodEnd": None,
        "resetAt": None,
        "softLimitExceeded": False,
        "credits": None,
        "reason": "fallback",
    }
    return cast(EntitlementCheck, answer)
