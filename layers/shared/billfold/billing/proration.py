"""Proration, Stripe's rule: credit the old price's unused time, charge the new price's remainder.

Time is measured in whole seconds and money in integer minor units; there are no floats. Each
line's amount is the exact rational share of `unit_amount x quantity`, rounded once, half up
(ties away from zero); a credit is the negated rounded share, so the same price credited and
charged over the same span nets exactly zero.
"""

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from pydantic import StrictStr

from billfold.billing.lines import BillingLine, LineKind
from billfold.billing.periods import Period, add_billing_periods
from billfold.catalog.price_models import PricedQuantity, PriceModel, per_unit, price_quantity
from billfold.catalog.terms import BillingPeriod, Quantity
from billfold.clock import as_utc
from billfold.errors import ErrorCode, RuleViolation
from billfold.models import ApiModel
from billfold.money import CURRENCIES, MinorUnits

_SECOND = timedelta(seconds=1)


class PricedItem(ApiModel):
    """One priced item of a subscription: its plan or an add-on, e.g. key "addon:extra-seats",
    priced `unitAmount` per unit or by its `priceModel` (tiers, packages)."""

    key: StrictStr
    description: StrictStr
    unit_amount: MinorUnits
    quantity: Quantity
    price_model: PriceModel | None = None

    @property
    def priced(self) -> PricedQuantity:
        """What the quantity costs for a whole period."""
        return price_quantity(self.price_model or per_unit(self.unit_amount), self.quantity)


def _round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator (numerator >= 0, denominator > 0) to the nearest int, ties up."""
    return (2 * numerator + denominator) // (2 * denominator)


def prorated_amount(amount: int, quantity: int, period: Period, from_moment: datetime) -> int:
    """The share of `amount x quantity` for [from_moment, period.end), in minor units.

    Exactly total x remaining_seconds / period_seconds, both lengths floored to whole seconds,
    then rounded once to the nearest minor unit, ties half up (away from zero).
    """
    if amount < 0 or quantity < 0:
        raise ValueError("amount and quantity must not be negative")
    moment = as_utc(from_moment, "from_moment")
    if not period.start <= moment <= period.end:
        raise ValueError("from_moment is outside the period")
    remaining = (period.end - moment) // _SECOND
    return _round_half_up(amount * quantity * remaining, period.seconds)


def _by_key(items: Sequence[PricedItem], which: str) -> dict[str, PricedItem]:
    keyed = {item.key: item for item in items}
    if len(keyed) != len(items):
        raise ValueError(f"two {which} items have the same key")
    return keyed


def _lines(
    kind: LineKind,
    label: str,
    items: Iterable[PricedItem],
    amount_of: Callable[[PricedItem], int],
    span: tuple[datetime, datetime],
    currency: str,
) -> list[BillingLine]:
    """A line of `kind` for each item with a non-zero amount, sorted by key."""
    lines = []
    for item in sorted(items, key=lambda i: i.key):
        amount = amount_of(item)
        if amount == 0:
            continue
        times = "" if item.quantity == 1 else f"{item.quantity} \N{MULTIPLICATION SIGN} "
        lines.append(
            BillingLine(
                key=item.key,
                description=f"{label}{times}{item.description}",
                kind=kind,
                amount=-amount if kind == "credit" else amount,
                currency=currency,
                quantity=item.quantity,
                unit_amount=item.unit_amount,
                tiers=item.priced.tiers,
                period_start=span[0],
                period_end=span[1],
            )
        )
    return lines


def _checked(period: Period, change_at: datetime, currency: str) -> datetime:
    """change_at in UTC, once it is known to lie in the period and the currency is billable."""
    if currency not in CURRENCIES:
        raise ValueError(f"'{currency}' is not an ISO 4217 currency code billfold bills in")
    moment = as_utc(change_at, "change_at")
    if not period.start <= moment <= period.end:
        raise ValueError("change_at is outside the period")
    return moment


def _unchanged(was: PricedItem | None, now: PricedItem | None) -> bool:
    if was is None or now is None:
        return False
    return (was.unit_amount, was.quantity, was.price_model) == (
        now.unit_amount,
        now.quantity,
        now.price_model,
    )


def _refuse_inverted(before: dict[str, PricedItem], after: dict[str, PricedItem]) -> None:
    """Refuse a quantity change whose price moves the other way: under volume tiers, fewer
    units can cost more (and more units less) for the whole period. Prorating that would
    charge a customer for removing units, or credit one for adding them."""
    for key, was in before.items():
        now = after.get(key)
        if now is None or now.price_model != was.price_model:
            continue
        more_units = now.quantity - was.quantity
        more_money = now.priced.amount - was.priced.amount
        if more_units * more_money < 0:
            raise RuleViolation(
                f"{now.description}: {now.quantity} units cost "
                f"{'more' if more_money > 0 else 'less'} than {was.quantity} under its volume "
                "tiers, so this change cannot be prorated; choose a quantity past the next tier "
                "bound, or change it at renewal",
                field="addons",
                code=ErrorCode.PRORATION_REFUSED,
            )


def prorate_change(
    old: Sequence[PricedItem],
    new: Sequence[PricedItem],
    period: Period,
    change_at: datetime,
    currency: str,
) -> list[BillingLine]:
    """The lines for changing `old` items to `new` at `change_at`, within the current `period`.

    An item with the same unit amount and quantity gives no line; a changed or removed item is
    credited its unused time, a changed or added one charged the remaining time (both spanning
    change_at to period end). Zero-amount lines are left out. Credits first, then charges, each
    sorted by key.
    """
    moment = _checked(period, change_at, currency)
    before, after = _by_key(old, "old"), _by_key(new, "new")
    _refuse_inverted(before, after)
    credited = [i for k, i in before.items() if not _unchanged(i, after.get(k))]
    charged = [i for k, i in after.items() if not _unchanged(before.get(k), i)]

    def share(item: PricedItem) -> int:
        return prorated_amount(item.priced.amount, 1, period, moment)

    span = (moment, period.end)
    return _lines("credit", "Unused time on ", credited, share, span, currency) + _lines(
        "charge", "Remaining time on ", charged, share, span, currency
    )


def restart_cycle_change(
    old_items: Sequence[PricedItem],
    new_items: Sequence[PricedItem],
    old_period: Period,
    change_at: datetime,
    new_period_kind: BillingPeriod,
    currency: str,
) -> tuple[list[BillingLine], Period]:
    """A change that restarts the billing cycle at `change_at` (monthly to annual, as Stripe).

    Every old item is credited its unused time of `old_period`; every new item is charged its
    full price for the new period, which starts at `change_at`. Returns the lines (credits, then
    charges, each by key; zero amounts left out) and the new period.
    """
    moment = _checked(old_period, change_at, currency)
    _by_key(old_items, "old")
    _by_key(new_items, "new")
    new_period = Period(start=moment, end=add_billing_periods(moment, new_period_kind, 1))

    def unused(item: PricedItem) -> int:
        return prorated_amount(item.priced.amount, 1, old_period, moment)

    def full(item: PricedItem) -> int:
        return item.priced.amount

    old_span, new_span = (moment, old_period.end), (new_period.start, new_period.end)
    credits = _lines("credit", "Unused time on ", old_items, unused, old_span, currency)
    charges = _lines("charge", "", new_items, full, new_span, currency)
    return credits + charges, new_period
