"""The one source of "now": injectable, so tests and the local stack can move time forward."""

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current UTC time."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    """Wall-clock time: what Lambda uses."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC, to the microsecond."""
        return datetime.now(UTC)


class OffsetClock:
    """Wall-clock time shifted by an offset that only ever grows: the local stack's test clock."""

    def __init__(self) -> None:
        self._offset = timedelta()

    def now(self) -> datetime:
        """The shifted current time."""
        return datetime.now(UTC) + self._offset

    def advance(self, by: timedelta) -> datetime:
        """Move time forward (never back) and return the new now."""
        if by < timedelta():
            raise ValueError("the clock only moves forward")
        self._offset += by
        return self.now()


class FixedClock:
    """A clock that stands still until told to move: for tests."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        """The fixed time."""
        return self._at

    def advance(self, by: timedelta) -> datetime:
        """Move the fixed time forward and return it."""
        self._at += by
        return self._at


def isoformat(moment: datetime) -> str:
    """An ISO 8601 UTC timestamp with a Z suffix, to the second."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


SORTABLE_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def sortable_timestamp(moment: datetime) -> str:
    """A fixed-width UTC timestamp (to the microsecond) that sorts as the moments do."""
    return moment.astimezone(UTC).strftime(SORTABLE_FORMAT)


def from_sortable_timestamp(text: str) -> datetime:
    """The moment a `sortable_timestamp` names."""
    return datetime.strptime(text, SORTABLE_FORMAT).replace(tzinfo=UTC)


def as_utc(moment: datetime, name: str = "moment") -> datetime:
    """The same instant in UTC; a naive datetime is a ValueError (it names no instant)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got a naive one")
    return moment.astimezone(UTC)
