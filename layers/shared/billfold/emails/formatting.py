"""Amounts and dates as the customer reads them: in their locale, amounts in their currency's
minor units (never through a float)."""

from datetime import datetime
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency

from billfold.money import minor_unit_exponent

FALLBACK_LOCALE = "en_US"


def locale_of(tag: str | None, default: str) -> Locale:
    """The customer's locale (a BCP 47 tag), else the default, else US English."""
    for candidate in (tag, default):
        if candidate:
            try:
                return Locale.parse(candidate, sep="-")
            except (UnknownLocaleError, ValueError):
                continue
    return Locale.parse(FALLBACK_LOCALE)


def money(amount: int, currency: str, locale: Locale) -> str:
    """An amount of minor units, e.g. 123456 EUR in de-DE: 1.234,56 €."""
    value = Decimal(amount).scaleb(-minor_unit_exponent(currency))
    return str(format_currency(value, currency, locale=locale))


def day(moment: datetime, locale: Locale) -> str:
    """A date, long form, e.g. 1 December 2026 (en-GB), December 1, 2026 (en-US)."""
    return str(format_date(moment.date(), format="long", locale=locale))
