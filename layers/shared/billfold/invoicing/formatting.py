"""Money and dates as an invoice prints them, from integer minor units (no floats)."""

from datetime import datetime

from billfold.catalog.price_models import TierCharge
from billfold.money import minor_unit_exponent

_SYMBOLS = {
    "USD": "$",
    "EUR": "\u20ac",
    "GBP": "\u00a3",
    "JPY": "\u00a5",
    "INR": "\u20b9",
    "AUD": "A$",
    "CAD": "CA$",
    "CHF": "CHF ",
}


def format_money(amount: int, currency: str) -> str:
    """`amount` minor units as `-$1,234.56`, `¥1,235`, `KWD 1.500` (code when no symbol)."""
    exponent = minor_unit_exponent(currency)
    sign = "-" if amount < 0 else ""
    major, minor = divmod(abs(amount), 10**exponent)
    digits = f"{major:,}" + (f".{minor:0{exponent}d}" if exponent else "")
    symbol = _SYMBOLS.get(currency, f"{currency} ")
    return f"{sign}{symbol}{digits}"


def format_date(moment: datetime) -> str:
    """A date as `24 Nov 2026` (UTC), unambiguous in every locale."""
    return moment.strftime("%d %b %Y").lstrip("0")


def format_tier(tier: TierCharge, currency: str) -> str:
    """A tier's part of a line: `Tier 2 (6-10)`, with `+ $1.00 flat` when it has a flat fee."""
    last = "+" if tier.last_unit is None else f"\u2013{tier.last_unit:,}"
    flat = f" + {format_money(tier.flat_amount, currency)} flat" if tier.flat_amount else ""
    return f"Tier {tier.tier} ({tier.first_unit:,}{last}){flat}"
