"""API Gateway's usage plan, locally: the metered (publishable) routes need the plan's key in
the authorizer's answer, and a token bucket throttles them at the plan's rate and burst."""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from time import monotonic

from infra import constants

LOCAL_USAGE_PLAN_KEY = "billfold-local-publishable-usage"


@dataclass
class UsagePlan:
    """The plan's key, and a token bucket of `burst` tokens refilled at `rate` a second."""

    key: str = LOCAL_USAGE_PLAN_KEY
    rate: float = constants.PUBLISHABLE_RATE_LIMIT
    burst: int = constants.PUBLISHABLE_BURST_LIMIT
    seconds: Callable[[], float] = monotonic
    _tokens: float = field(init=False)
    _at: float = field(init=False)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._tokens, self._at = float(self.burst), self.seconds()

    def admits(self, usage_identifier_key: str | None) -> bool:
        """Whether the authorizer named this plan's key (API Gateway's 403 otherwise)."""
        return usage_identifier_key == self.key

    def take(self) -> bool:
        """Spend one token if there is one (API Gateway's 429 otherwise)."""
        with self._lock:
            now = self.seconds()
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
            self._at = now
            if self._tokens < 1:
                return False
            self._tokens -= 1
            return True
