"""Usage counters as read: a feature's count within one usage period, and what a report did.

A period is stored as two strings, the `sortable_timestamp`s of its start and end, so they
compare as the moments do; a counter whose reset period is `never` has "" for both.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt

from billfold.billing.periods import Period
from billfold.clock import from_sortable_timestamp, sortable_timestamp
from billfold.models import ApiModel

Count = Annotated[StrictInt, Field(ge=0)]


@dataclass(frozen=True)
class Window:
    """A usage period as stored: sortable start and end, both "" for a counter that never resets."""

    start: str
    end: str


NEVER = Window("", "")


def window_of(period: Period | None) -> Window:
    """The stored form of a usage period (None: the reset period is `never`)."""
    if period is None:
        return NEVER
    return Window(sortable_timestamp(period.start), sortable_timestamp(period.end))


Relation = Literal["absent", "current", "behind", "ahead"]
"""Where a stored counter stands against the period a report is for.

absent: no counter yet. current: the counter is for exactly that period. ahead: the counter has
moved on to a period that starts after that one ended, so the report is late and counts in the
closed period. behind: anything else, usually an older period (or a reset period that changed,
e.g. monthly to never): the counter is closed into history and restarts.
"""


def relation(stored: Window | None, target: Window) -> Relation:
    """Where the stored counter's window stands against the target window (see `Relation`)."""
    if stored is None:
        return "absent"
    if stored == target:
        return "current"
    if target.start and stored.start and stored.start >= target.end:
        return "ahead"
    return "behind"


class Counter(ApiModel):
    """A feature's usage in one period: the live counter, or a closed period from history."""

    feature_id: str
    period_start: str
    period_end: str
    used: Count

    @property
    def window(self) -> Window:
        """The counter's period as stored."""
        return Window(self.period_start, self.period_end)

    @property
    def period(self) -> Period | None:
        """The counter's period; None for a counter that never resets."""
        if not self.period_start:
            return None
        return Period(
            start=from_sortable_timestamp(self.period_start),
            end=from_sortable_timestamp(self.period_end),
        )

    def used_in(self, period: Period | None) -> int:
        """The usage this counter holds for `period`: its count when it is for exactly that
        period, else 0 (a counter from a past period counts as 0 in the new one)."""
        return self.used if relation(self.window, window_of(period)) == "current" else 0


class UsageResult(ApiModel):
    """What a usage report did: `counted` is false when its idempotency key was seen before
    (nothing was counted again); `used` is the period's count read right after the write."""

    counted: StrictBool
    used: Count


class UsagePeriod(ApiModel):
    """A feature's usage in one period, as the API shows it (null period: never resets)."""

    feature_id: str
    period_start: datetime | None
    period_end: datetime | None
    used: int

    @classmethod
    def of(cls, counter: Counter) -> "UsagePeriod":
        """A stored counter or history record."""
        return cls.current(counter.feature_id, counter.period, counter.used)

    @classmethod
    def current(cls, feature_id: str, period: Period | None, used: int) -> "UsagePeriod":
        """A period's usage (the one in progress, or one read from storage)."""
        return cls(
            feature_id=feature_id,
            period_start=period.start if period else None,
            period_end=period.end if period else None,
            used=used,
        )
