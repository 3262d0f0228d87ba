"""The local usage plan: only the plan's key is admitted, and a token bucket of `burst`
tokens, refilled at `rate` a second, throttles the metered routes as API Gateway would."""

import threading

from infra import constants
from local.usage_plan import LOCAL_USAGE_PLAN_KEY, UsagePlan


class Seconds:
    """A monotonic clock the test moves by hand."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _taken(plan: UsagePlan, attempts: int) -> int:
    """How many of `attempts` back-to-back calls the plan lets through."""
    return sum(plan.take() for _ in range(attempts))


def test_defaults_are_the_deployed_plans_key_rate_and_burst() -> None:
    plan = UsagePlan()

    assert (plan.key, plan.rate, plan.burst) == (
        LOCAL_USAGE_PLAN_KEY,
        constants.PUBLISHABLE_RATE_LIMIT,
        constants.PUBLISHABLE_BURST_LIMIT,
    )


def test_admits_only_its_own_key() -> None:
    plan = UsagePlan(key="plan-key")

    assert plan.admits("plan-key")
    assert not plan.admits(None)
    assert not plan.admits("")
    assert not plan.admits("other-key")
    assert not plan.admits("plan-key ")
    assert not plan.admits("PLAN-KEY")


def test_a_full_bucket_lets_a_burst_through_then_throttles() -> None:
    plan = UsagePlan(rate=20, burst=40, seconds=Seconds())

    assert _taken(plan, 40) == 40
    assert not plan.take()
    assert not plan.take()


def test_the_bucket_refills_at_the_rate() -> None:
    """Steps are powers of two, so that float arithmetic is exact."""
    seconds = Seconds()
    plan = UsagePlan(rate=16, burst=32, seconds=seconds)
    _taken(plan, 32)

    seconds.advance(1 / 32)  # half a token
    assert not plan.take()
    seconds.advance(1 / 32)  # one token
    assert plan.take()
    assert not plan.take()
    seconds.advance(0.5)  # 8 tokens
    assert _taken(plan, 15) == 8


def test_the_bucket_never_holds_more_than_the_burst() -> None:
    seconds = Seconds()
    plan = UsagePlan(rate=20, burst=40, seconds=seconds)
    _taken(plan, 40)

    seconds.advance(3600)

    assert _taken(plan, 100) == 40


def test_a_steady_rate_within_the_limit_is_never_throttled() -> None:
    seconds = Seconds()
    plan = UsagePlan(rate=16, burst=1, seconds=seconds)

    for _ in range(200):
        assert plan.take()
        seconds.advance(1 / 16)


def test_throttled_calls_spend_nothing() -> None:
    seconds = Seconds()
    plan = UsagePlan(rate=1, burst=2, seconds=seconds)
    _taken(plan, 2)

    assert _taken(plan, 50) == 0
    seconds.advance(1)

    assert plan.take()


def test_time_is_read_from_the_injected_clock_not_the_system() -> None:
    seconds = Seconds()
    plan = UsagePlan(rate=1000, burst=3, seconds=seconds)

    assert _taken(plan, 3) == 3
    # however long the test machine takes, no time passes for the plan
    assert _taken(plan, 1000) == 0


def test_concurrent_takes_never_spend_more_than_the_bucket_holds() -> None:
    plan = UsagePlan(rate=5, burst=50, seconds=Seconds())
    admitted: list[bool] = []

    def caller() -> None:
        admitted.extend(plan.take() for _ in range(20))

    threads = [threading.Thread(target=caller) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert (len(admitted), admitted.count(True)) == (160, 50)
