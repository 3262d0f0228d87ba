"""Usage metering's storage side: counters per customer and feature, reported exactly once."""

from billfold.usage.counters import (
    MAX_ATTEMPTS,
    add_usage,
    consume,
    current_usage,
    read_entitlements_and_usage,
    set_usage,
    usage_history,
)
from billfold.usage.models import Counter, UsageResult
from billfold.usage.writes import DEDUPE_TTL

__all__ = [
    "DEDUPE_TTL",
    "MAX_ATTEMPTS",
    "Counter",
    "UsageResult",
    "add_usage",
    "consume",
    "current_usage",
    "read_entitlements_and_usage",
    "set_usage",
    "usage_history",
]
