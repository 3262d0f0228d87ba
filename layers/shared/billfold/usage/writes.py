"""The writes behind a usage report, built as pure functions of what is known about the counter.

A report is one transaction: the write to the period's count (see `plan`) plus the dedupe
record (`dedupe_put`). Every write carries the condition that makes it correct only in the
state it was planned for, so a report planned on a stale view fails and is planned again; none
is ever applied twice or to the wrong period.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from billfold.clock import sortable_timestamp
from billfold.errors import BillfoldError, ErrorCode, InvalidInput, RuleViolation
from billfold.storage import keys
from billfold.storage.schema import TTL_ATTRIBUTE
from billfold.storage.table import Condition, Item, Put, Update
from billfold.usage.models import Counter, Window, relation

DEDUPE_TTL = timedelta(days=7)
"""How long an idempotency key is remembered after its report."""

Operation = Literal["add", "set", "consume"]

_NAMES = {
    "#ps": "period_start",
    "#pe": "period_end",
    "#used": "used",
    "#at": "updated_at",
    "#kind": "kind",
    "#f": "feature_id",
    "#exp": TTL_ATTRIBUTE,
}
_PLACEHOLDER = re.compile(r"[#:][A-Za-z0-9_]+")
_SAME_PERIOD = "#ps = :ps AND #pe = :pe"
_DESCRIBE = "#ps = :ps, #pe = :pe, #at = :at, #kind = :kind, #f = :f"


@dataclass(frozen=True)
class Change:
    """What a report asks: add `amount` (a delta), set the count to `amount`, or consume
    `amount` if the count stays within `limit` (None: unlimited)."""

    operation: Operation
    amount: int
    limit: int | None = None

    def after(self, used: int) -> int:
        """The count after this change is applied to `used`."""
        return self.amount if self.operation == "set" else used + self.amount

    def refusal(self, used: int) -> BillfoldError | None:
        """Why the change may not apply to a count of `used`, if it may not."""
        after = self.after(used)
        if after < 0:
            return InvalidInput(
                f"the usage would go below zero ({used} {self.amount:+d})",
                field="amount",
                code=ErrorCode.USAGE_BELOW_ZERO,
            )
        if self.operation == "consume" and self.limit is not None and after > self.limit:
            return RuleViolation(
                f"using {self.amount} more would pass the limit of {self.limit} ({used} used)",
                code=ErrorCode.LIMIT_EXCEEDED,
            )
        return None


@dataclass(frozen=True)
class State:
    """What a consistent read found: the counter, the target period's closed record (if the
    period is closed) and the dedupe record of the report's idempotency key."""

    counter: Counter | None
    closed: Counter | None
    dedupe: Item | None


def _update(key: keys.Key, expression: str, condition: str | None, values: Item) -> Update:
    """An Update whose names and values are exactly the placeholders it uses (DynamoDB refuses
    unused ones)."""
    used = set(_PLACEHOLDER.findall(expression + " " + (condition or "")))
    names = {p: n for p, n in _NAMES.items() if p in used}
    missing = {p for p in used if p.startswith(":")} - set(values)
    if missing:
        raise ValueError(f"no value for {sorted(missing)}")
    return Update(
        key,
        expression,
        Condition(condition) if condition else None,
        names,
        {p: v for p, v in values.items() if p in used},
    )


def _described(feature_id: str, window: Window, now: datetime) -> Item:
    return {
        ":ps": window.start,
        ":pe": window.end,
        ":at": sortable_timestamp(now),
        ":f": feature_id,
    }


def _change_expression(change: Change) -> str:
    if change.operation == "set":
        return f"SET {_DESCRIBE}, #used = :amount"
    return f"SET {_DESCRIBE} ADD #used :amount"


def _limit_values(change: Change) -> Item:
    values: Item = {":amount": change.amount, ":needed": -change.amount}
    if change.limit is not None:
        values[":room"] = change.limit - change.amount
    return values


def counter_update(
    customer_id: str, feature_id: str, window: Window, change: Change, now: datetime
) -> Update:
    """The change applied to the counter, valid only while the counter is absent or in the
    target period; its condition also keeps the count >= 0 and (consume) <= the limit.

    The limit test `used + amount <= limit` is written `used <= :room` with room = limit -
    amount. A change that could not apply to a new counter (a negative delta, more than the
    limit) has no `attribute_not_exists` branch, so it fails there and is refused on a read.
    """
    fits_new_counter = change.refusal(0) is None
    if change.operation == "add" and change.amount < 0:
        condition = f"{_SAME_PERIOD} AND #used >= :needed"
    elif change.operation == "consume" and change.limit is not None:
        condition = f"{_SAME_PERIOD} AND #used <= :room"
    else:
        condition = _SAME_PERIOD
    if fits_new_counter:
        condition = f"attribute_not_exists(pk) OR ({condition})"
    values = {
        **_described(feature_id, window, now),
        ":kind": "usage_counter",
        **_limit_values(change),
    }
    key = keys.usage_counter(customer_id, feature_id)
    return _update(key, _change_expression(change), condition, values)


def rollover_updates(
    customer_id: str,
    feature_id: str,
    window: Window,
    stored: Counter,
    change: Change,
    now: datetime,
) -> list[Update]:
    """Restart the counter in the target period with the change applied to 0, and close the
    stored period into history, valid only while the counter is exactly as read (period and
    count), so no update to the old period is lost between the read and the write.

    The history record adds the closed count to anything already there (a report that arrived
    late for that period), so closing never overwrites one.
    """
    restart = _update(
        keys.usage_counter(customer_id, feature_id),
        f"SET {_DESCRIBE}, #used = :new",
        "#ps = :old_start AND #pe = :old_end AND #used = :old_used",
        {
            **_described(feature_id, window, now),
            ":kind": "usage_counter",
            ":new": change.after(0),
            ":old_start": stored.period_start,
            ":old_end": stored.period_end,
            ":old_used": stored.used,
        },
    )
    close = _update(
        keys.usage_period(customer_id, feature_id, stored.period_start),
        f"SET {_DESCRIBE} ADD #used :amount",
        None,
        {
            **_described(feature_id, stored.window, now),
            ":kind": "usage_period",
            ":amount": stored.used,
        },
    )
    return [restart, close]


def closed_period_update(
    customer_id: str, feature_id: str, window: Window, change: Change, now: datetime
) -> Update:
    """The change applied to a closed period's history record (a late report), with the same
    guards as the counter: count >= 0 and (consume) <= the limit."""
    if change.operation == "add" and change.amount < 0:
        condition: str | None = "#used >= :needed"
    elif change.operation == "consume" and change.limit is not None:
        condition = "#used <= :room"
        if change.refusal(0) is None:
            condition = f"attribute_not_exists(#used) OR {condition}"
    else:
        condition = None
    values = {
        **_described(feature_id, window, now),
        ":kind": "usage_period",
        **_limit_values(change),
    }
    key = keys.usage_period(customer_id, feature_id, window.start)
    return _update(key, _change_expression(change), condition, values)


def plan(
    customer_id: str,
    feature_id: str,
    window: Window,
    change: Change,
    now: datetime,
    state: State | None,
) -> list[Update]:
    """The writes for the change; the first is the one holding the period's count afterwards.

    Without a read (`state` None) the counter is assumed absent or current: the usual case, one
    write. With a consistent read, a change that may not apply raises its refusal
    (`usage_below_zero`, `limit_exceeded`), a counter behind the target period rolls over, and
    a counter ahead of it sends the change to the closed period's record.
    """
    if state is None:
        return [counter_update(customer_id, feature_id, window, change, now)]
    stored = state.counter
    where = relation(stored.window if stored else None, window)
    if where == "behind" and stored is not None:
        used = 0
    elif where == "ahead":
        used = state.closed.used if state.closed else 0
    else:
        used = stored.used if stored else 0
    refusal = change.refusal(used)
    if refusal is not None:
        raise refusal
    if where == "behind" and stored is not None:
        return rollover_updates(customer_id, feature_id, window, stored, change, now)
    if where == "ahead":
        return [closed_period_update(customer_id, feature_id, window, change, now)]
    return [counter_update(customer_id, feature_id, window, change, now)]


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def dedupe_key(customer_id: str, idempotency_key: str) -> keys.Key:
    """Where the record that a key was counted lives (one namespace per customer)."""
    return keys.usage_dedupe(customer_id, idempotency_key)


def dedupe_put(
    customer_id: str, feature_id: str, idempotency_key: str, change: Change, now: datetime
) -> Put:
    """The record that the key was counted: new, or replacing one whose TTL has passed (DynamoDB
    deletes expired items only eventually)."""
    item: Item = {
        **dedupe_key(customer_id, idempotency_key),
        "kind": "usage_dedupe",
        "feature_id": feature_id,
        "operation": change.operation,
        "amount": change.amount,
        "created_at": sortable_timestamp(now),
        TTL_ATTRIBUTE: _epoch(now + DEDUPE_TTL),
    }
    return Put(
        item,
        Condition(
            "attribute_not_exists(pk) OR #exp <= :now",
            {"#exp": TTL_ATTRIBUTE},
            {":now": _epoch(now)},
        ),
    )


def is_live_dedupe(record: Mapping[str, Any] | None, now: datetime) -> bool:
    """Whether a dedupe record still holds its key at `now`."""
    return record is not None and int(record.get(TTL_ATTRIBUTE, 0)) > _epoch(now)


def same_report(record: Mapping[str, Any], feature_id: str, change: Change) -> bool:
    """Whether a dedupe record is for the same report (feature, operation, amount)."""
    return (record.get("feature_id"), record.get("operation"), record.get("amount")) == (
        feature_id,
        change.operation,
        change.amount,
    )
