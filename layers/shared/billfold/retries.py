"""Optimistic concurrency's retry loop, in one place: read, plan, write on a condition; when
another writer won, read again and plan again, a bounded number of times, each retry after a
random pause that grows with the attempt (full jitter), so racing writers spread out."""

import random
import time
from collections.abc import Iterator

BASE_SECONDS = 0.005
CAP_SECONDS = 0.2


def backoff(attempt: int) -> float:
    """The pause before retry number `attempt` (1, 2, ...): uniform up to base x 2^attempt."""
    return random.uniform(0, min(CAP_SECONDS, BASE_SECONDS * 2**attempt))


def attempts(limit: int) -> Iterator[int]:
    """The attempt numbers 0 .. limit-1, pausing (`backoff`) before every one but the first.

    for attempt in attempts(5):
        current = read()
        try:
            return write(plan(current))
        except ConditionFailed:
            continue
    raise changed_concurrently(...)
    """
    for attempt in range(limit):
        if attempt:
            time.sleep(backoff(attempt))
        yield attempt
