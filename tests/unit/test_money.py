"""Money: strictly integer minor units and known ISO 4217 currencies."""

import pytest
from pydantic import ValidationError

from billfold.catalog.models import Price
from billfold.money import CURRENCIES, minor_unit_exponent


def _price(amount: object = 1900, currency: object = "USD") -> Price:
    return Price.model_validate(
        {"billingPeriod": "monthly", "currency": currency, "amount": amount}
    )


@pytest.mark.parametrize("amount", [0, 1, 1900, 10**12])
def test_price_accepts_non_negative_integer_minor_units(amount: int) -> None:
    assert _price(amount).amount == amount


@pytest.mark.parametrize(
    "amount",
    [19.99, 1900.0, "1900", -1, True, False, None, 10**12 + 1],
    ids=["float", "whole-float", "numeric-string", "negative", "true", "false", "null", "huge"],
)
def test_price_refuses_anything_but_a_strict_non_negative_int(amount: object) -> None:
    with pytest.raises(ValidationError) as caught:
        _price(amount)

    assert caught.value.errors()[0]["loc"] == ("amount",)


@pytest.mark.parametrize("currency", ["USD", "EUR", "JPY", "KWD", "GBP"])
def test_price_accepts_known_uppercase_iso_currencies(currency: str) -> None:
    assert _price(currency=currency).currency == currency


@pytest.mark.parametrize("currency", ["usd", "Usd", "eUR", "jpy"])
def test_price_takes_any_case_and_keeps_upper_case(currency: str) -> None:
    assert _price(currency=currency).currency == currency.upper()


@pytest.mark.parametrize("currency", ["usx", "XXX", "ABC", "US", "USDD", "", " USD", 840, "u$d"])
def test_price_refuses_unknown_currencies(currency: object) -> None:
    with pytest.raises(ValidationError) as caught:
        _price(currency=currency)

    assert caught.value.errors()[0]["loc"] == ("currency",)


@pytest.mark.parametrize(
    ("currency", "exponent"),
    [("USD", 2), ("EUR", 2), ("JPY", 0), ("KRW", 0), ("KWD", 3), ("BHD", 3)],
)
def test_minor_unit_exponent_per_currency(currency: str, exponent: int) -> None:
    assert minor_unit_exponent(currency) == exponent


def test_every_known_currency_is_three_uppercase_letters() -> None:
    malformed = [c for c in CURRENCIES if len(c) != 3 or not c.isascii() or not c.isupper()]

    assert malformed == []
    assert "USD" in CURRENCIES
    assert "XXX" not in CURRENCIES  # the "no currency" code cannot be billed in
