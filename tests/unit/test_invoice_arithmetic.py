"""Invoice arithmetic: discounts, credits, totals, numbering and money formatting."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billfold.billing.discounts import discount_amount
from billfold.catalog.coupons import Coupon
from billfold.catalog.terms import Discount
from billfold.invoicing.arithmetic import discount_line, totals
from billfold.invoicing.formatting import format_date, format_money
from billfold.invoicing.issuing import invoice_number, new_invoice_id
from billfold.invoicing.models import InvoiceLine
from billfold.subscriptions.discounts import applied_coupon

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def line(amount: int, kind: str = "charge") -> InvoiceLine:
    return InvoiceLine(kind=kind, description="x", quantity=1, unit_amount=amount, amount=amount)


def percent(value: int) -> Discount:
    return Discount(coupon_id="c", name="Welcome", percent_off=value)


def fixed(amount: int) -> Discount:
    return Discount(coupon_id="c", name="Ten off", amount_off=amount)


@pytest.mark.parametrize(
    ("amounts", "discount", "expected"),
    [
        ([4900, 1600], percent(10), 650),
        ([999], percent(15), 150),  # 149.85 rounds half up to 150
        ([5], percent(50), 3),  # 2.5 rounds up
        ([4900, -1000], percent(10), 490),  # credits are not discounted
        ([4900], fixed(1000), 1000),
        ([700], fixed(1000), 700),  # never more than the charges
        ([-500], fixed(1000), 0),
    ],
)
def test_discount_amounts(amounts: list[int], discount: Discount, expected: int) -> None:
    assert discount_amount(amounts, discount) == expected


@given(
    charges=st.lists(st.integers(0, 10**9), max_size=6),
    value=st.integers(1, 100),
)
def test_a_percentage_is_the_exact_share_rounded_once(charges: list[int], value: int) -> None:
    exact_times_100 = sum(charges) * value
    taken = discount_amount(charges, percent(value))
    assert abs(taken * 100 - exact_times_100) <= 50
    assert 0 <= taken <= sum(charges)


def test_totals_take_credit_from_the_balance_and_never_charge_a_negative_total() -> None:
    lines = [line(5000), line(-1200, "credit")]
    lines.append(discount_line(lines, percent(10)))  # type: ignore[arg-type]

    owed = totals(lines, credit_balance=1000)
    assert (owed.subtotal, owed.discount, owed.total) == (3800, 500, 3300)
    assert (owed.credit_applied, owed.credit_added, owed.amount_due) == (1000, 0, 2300)

    credited = totals([line(1000), line(-3000, "credit")], credit_balance=400)
    assert (credited.total, credited.credit_applied, credited.credit_added) == (-2000, 0, 2000)
    assert credited.amount_due == 0


def test_a_discount_that_takes_nothing_adds_no_line() -> None:
    assert discount_line([line(-100, "credit")], percent(20)) is None
    added = discount_line([line(1000)], percent(20))
    assert added is not None
    assert (added.kind, added.amount, added.description) == ("discount", -200, "Welcome (20% off)")


def test_invoice_numbers_and_ids() -> None:
    assert invoice_number(1) == "INV-000001"
    assert invoice_number(123) == "INV-000123"
    assert invoice_number(1_234_567) == "INV-1234567"
    with pytest.raises(ValueError, match="start at 1"):
        invoice_number(0)
    earlier, later = new_invoice_id(NOW), new_invoice_id(datetime(2026, 11, 24, 9, 31, tzinfo=UTC))
    assert earlier.startswith("in_20261124093000000000")
    assert earlier < later


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (123456, "USD", "$1,234.56"),
        (-5, "EUR", "-\u20ac0.05"),
        (1235, "JPY", "\u00a51,235"),
        (1500, "KWD", "KWD 1.500"),
        (0, "SEK", "SEK 0.00"),
    ],
)
def test_money_formatting_follows_each_currency_exponent(
    amount: int, currency: str, text: str
) -> None:
    assert format_money(amount, currency) == text


def test_dates_print_unambiguously() -> None:
    assert format_date(datetime(2026, 3, 5, tzinfo=UTC)) == "5 Mar 2026"


def _coupon(duration: str, months: int | None = None) -> Coupon:
    return Coupon(
        id="c",
        name="C",
        percent_off=10,
        duration=duration,  # type: ignore[arg-type]
        duration_in_months=months,
        metadata={},
        created_at=NOW,
    )


@pytest.mark.parametrize(
    ("duration", "months", "period", "periods"),
    [
        ("once", None, "monthly", 1),
        ("once", None, "annual", 1),
        ("repeating", 3, "monthly", 3),
        ("repeating", 3, "annual", 1),
        ("repeating", 13, "annual", 2),
        ("forever", None, "monthly", None),
    ],
)
def test_coupon_durations_in_billed_periods(
    duration: str, months: int | None, period: str, periods: int | None
) -> None:
    applied = applied_coupon(_coupon(duration, months), period)  # type: ignore[arg-type]
    assert applied.periods_left == periods
