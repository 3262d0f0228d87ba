"""Money: integer minor units and ISO 4217 currencies. No floats anywhere."""

from typing import Annotated

from pydantic import AfterValidator, Field, StrictInt

# Active ISO 4217 currencies for payments (fund codes left out) and their minor-unit exponents.
_THREE_DECIMALS = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})
_ZERO_DECIMALS = frozenset(
    {
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "ISK",
        "JPY",
        "KMF",
        "KRW",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    }
)
_TWO_DECIMALS = frozenset(
    [
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BMD",
        "BND",
        "BOB",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHF",
        "CNY",
        "COP",
        "CRC",
        "CUP",
        "CVE",
        "CZK",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IRR",
        "JMD",
        "KES",
        "KGS",
        "KHR",
        "KPW",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SVC",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "USD",
        "UYU",
        "UZS",
        "VED",
        "VES",
        "WST",
        "XCD",
        "XCG",
        "YER",
        "ZAR",
        "ZMW",
        "ZWG",
    ]
)
CURRENCIES = _TWO_DECIMALS | _ZERO_DECIMALS | _THREE_DECIMALS


def minor_unit_exponent(currency: str) -> int:
    """How many decimal places the currency's minor unit has (USD 2, JPY 0, KWD 3)."""
    if currency in _ZERO_DECIMALS:
        return 0
    if currency in _THREE_DECIMALS:
        return 3
    return 2


def _known_currency(code: str) -> str:
    upper = code.upper()
    if upper not in CURRENCIES:
        raise ValueError(f"'{code}' is not an ISO 4217 currency code (e.g. USD or usd)")
    return upper


Currency = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z]{3}$",
        description="An ISO 4217 code in any case (`usd`, `USD`); stored and answered upper case.",
        examples=["USD"],
    ),
    AfterValidator(_known_currency),
]
"""An ISO 4217 code that billfold can bill in: any case in, upper case stored and answered
(Stripe's clients send lower case)."""

MinorUnits = Annotated[StrictInt, Field(ge=0, le=10**12)]
"""A non-negative amount in the currency's minor unit (cents for USD). Strictly an integer."""
