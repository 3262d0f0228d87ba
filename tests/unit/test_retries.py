"""The one retry loop: a bounded number of attempts, a random pause before each retry that
grows with the attempt and never passes the cap, and none before the first."""

import pytest

from billfold import retries


def test_attempts_are_bounded_and_only_retries_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(retries.time, "sleep", pauses.append)

    seen = list(retries.attempts(4))

    assert seen == [0, 1, 2, 3]
    assert len(pauses) == 3
    assert all(0 <= pause <= retries.CAP_SECONDS for pause in pauses)


def test_the_pause_is_jittered_within_a_growing_bound() -> None:
    for attempt in range(1, 12):
        bound = min(retries.CAP_SECONDS, retries.BASE_SECONDS * 2**attempt)
        pauses = {retries.backoff(attempt) for _ in range(50)}
        assert all(0 <= pause <= bound for pause in pauses)
        assert len(pauses) > 1, "random, so racing writers spread out"


def test_leaving_the_loop_early_stops_the_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(retries.time, "sleep", pauses.append)

    for attempt in retries.attempts(10):
        if attempt == 1:
            break

    assert len(pauses) == 1
