"""Billing and usage periods: calendar arithmetic on timezone-aware UTC datetimes, like Stripe's.

A billing anchor keeps its day of the month and time of day; a month without that day ends the
period on its last day (anchor Jan 31: Feb 28 or 29, Mar 31, Apr 30, ...). Every boundary is
computed from the original anchor, never from the previous clamped boundary, so nothing drifts.
"""

from calendar import monthrange
from datetime import datetime, timedelta
from typing import Self

from pydantic import field_validator, model_validator

from billfold.catalog.terms import BillingPeriod, ResetAnchor, ResetPeriod
from billfold.clock import as_utc
from billfold.models import ApiModel

_SECOND = timedelta(seconds=1)
_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)
_MONTHS = {"monthly": 1, "annual": 12}


class Period(ApiModel):
    """A half-open span of time [start, end) in UTC, at least one second long."""

    start: datetime
    end: datetime

    @field_validator("start", "end")
    @classmethod
    def _in_utc(cls, moment: datetime) -> datetime:
        return as_utc(moment)

    @model_validator(mode="after")
    def _at_least_a_second(self) -> Self:
        if self.end - self.start < _SECOND:
            raise ValueError("a period ends at least one second after it starts")
        return self

    @property
    def seconds(self) -> int:
        """The period's length in whole seconds (floored)."""
        return (self.end - self.start) // _SECOND


def _add_months(anchor: datetime, months: int) -> datetime:
    index = anchor.month - 1 + months
    year, month = anchor.year + index // 12, index % 12 + 1
    return anchor.replace(year=year, month=month, day=min(anchor.day, monthrange(year, month)[1]))


def add_billing_periods(anchor: datetime, period: BillingPeriod, count: int) -> datetime:
    """The boundary `count` (>= 0) billing periods after `anchor`, the day clamped to month end."""
    if count < 0:
        raise ValueError("count must not be negative")
    return _add_months(as_utc(anchor, "anchor"), _MONTHS[period] * count)


def billing_period_at(anchor: datetime, period: BillingPeriod, at: datetime) -> Period:
    """The billing period containing `at` (start <= at < end); `at` before `anchor` is an error."""
    anchor, at = as_utc(anchor, "anchor"), as_utc(at, "at")
    if at < anchor:
        raise ValueError("at is before the billing anchor")
    step = _MONTHS[period]
    n = ((at.year - anchor.year) * 12 + at.month - anchor.month) // step
    while n > 0 and _add_months(anchor, n * step) > at:
        n -= 1
    while _add_months(anchor, (n + 1) * step) <= at:
        n += 1
    return Period(start=_add_months(anchor, n * step), end=_add_months(anchor, (n + 1) * step))


def _fixed_period_at(anchor: datetime, length: timedelta, at: datetime) -> Period:
    start = anchor + (at - anchor) // length * length
    return Period(start=start, end=start + length)


def _calendar_period_at(reset_period: ResetPeriod, at: datetime) -> Period:
    midnight = at.replace(hour=0, minute=0, second=0, microsecond=0)
    if reset_period == "daily":
        return Period(start=midnight, end=midnight + _DAY)
    if reset_period == "weekly":
        monday = midnight - midnight.weekday() * _DAY
        return Period(start=monday, end=monday + _WEEK)
    if reset_period == "monthly":
        first = midnight.replace(day=1)
        return Period(start=first, end=_add_months(first, 1))
    new_year = midnight.replace(month=1, day=1)
    return Period(start=new_year, end=new_year.replace(year=new_year.year + 1))


def usage_period_at(
    reset_period: ResetPeriod,
    reset_anchor: ResetAnchor,
    subscription_anchor: datetime,
    at: datetime,
) -> Period | None:
    """The window of the usage counter that `at` falls in; None for `never` (one counter forever).

    `subscription`: aligned to the subscription anchor: daily and weekly in fixed 1- and 7-day
    steps, monthly and yearly with the clamped calendar arithmetic of billing periods (`at`
    before the anchor is an error). `calendar`: the UTC calendar day, ISO week (from Monday
    00:00), month or year.
    """
    anchor, at = as_utc(subscription_anchor, "subscription_anchor"), as_utc(at, "at")
    if reset_period == "never":
        return None
    if reset_anchor == "calendar":
        return _calendar_period_at(reset_period, at)
    if at < anchor:
        raise ValueError("at is before the subscription anchor")
    if reset_period == "daily":
        return _fixed_period_at(anchor, _DAY, at)
    if reset_period == "weekly":
        return _fixed_period_at(anchor, _WEEK, at)
    return billing_period_at(anchor, "monthly" if reset_period == "monthly" else "annual", at)
