"""What a customer has spent toward a spend limit, as pure rules over what one entitlement
check reads: overage accrued so far in each soft-limited feature's current period (priced by
its overage price in the subscription's currency), plus auto-recharge purchases this calendar
month (UTC).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from billfold.catalog.price_models import price_quantity
from billfold.entitlements.models import MaterializedEntitlements, ResolvedEntitlement


@dataclass(frozen=True)
class Spend:
    """Spend so far toward the limit, in minor units of `currency`."""

    currency: str
    overage: int
    auto_recharge: int

    @property
    def total(self) -> int:
        """Overage and auto-recharge together."""
        return self.overage + self.auto_recharge


def overage_cost(entry: ResolvedEntitlement, currency: str, used: int) -> int:
    """What `used` units of a soft-limited feature cost past its limit (0 when it has no
    overage price in the currency)."""
    price = next((p for p in entry.overage_prices if p.currency == currency), None)
    if price is None or entry.limit is None or entry.enforcement != "soft":
        return 0
    return price_quantity(price, max(used - entry.limit, 0)).amount


def spend(
    entitlements: MaterializedEntitlements,
    usage: Mapping[str, int],
    wallets: Mapping[str, Mapping[str, Any]],
    currency: str,
    now: datetime,
) -> Spend:
    """Spend toward the limit at `now`, from each feature's usage in its current period
    (`usage`, by feature id) and the stored credit wallets' auto-recharge."""
    overage = sum(
        overage_cost(entry, currency, usage.get(feature_id, 0))
        for feature_id, entry in entitlements.entries.items()
    )
    month = now.strftime("%Y-%m")
    recharged = 0
    for stored in wallets.values():
        recharge = stored.get("auto_recharge") or {}
        if recharge.get("month") == month:
            recharged += int(recharge.get("spent_this_month", 0))
    return Spend(currency=currency, overage=overage, auto_recharge=recharged)


def extra_cost(entry: ResolvedEntitlement, currency: str, used: int, requested: int) -> int:
    """What `requested` more units of the feature add to its overage cost."""
    return overage_cost(entry, currency, used + requested) - overage_cost(entry, currency, used)


def limit_of(item: Mapping[str, Any] | None) -> tuple[int, str] | None:
    """The (limit, currency) a stored spend-limit item sets, if any."""
    if not item or item.get("monthly_limit") is None:
        return None
    return int(item["monthly_limit"]), str(item["currency"])


def over_limit(
    entitlements: MaterializedEntitlements,
    usage: Mapping[str, int],
    wallets: Mapping[str, Mapping[str, Any]],
    limit_item: Mapping[str, Any] | None,
    feature_id: str,
    requested: int,
    now: datetime,
) -> bool:
    """Whether `requested` more of a soft-limited feature would cost more overage than the
    spend limit has room for (its soft limit is then hard)."""
    limit = limit_of(limit_item)
    entry = entitlements.entries.get(feature_id)
    if limit is None or entry is None:
        return False
    amount, currency = limit
    extra = extra_cost(entry, currency, usage.get(feature_id, 0), requested)
    if extra == 0:
        return False
    return spend(entitlements, usage, wallets, currency, now).total + extra > amount
