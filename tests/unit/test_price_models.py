"""Price models: per unit, graduated and volume tiers, packages, under Stripe's tier rules.

Expected values come from hand arithmetic or from a unit-by-unit reference, never from the code
under test.
"""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from billfold.catalog.price_models import (
    MAX_TIERS,
    PricedQuantity,
    PriceModel,
    Tier,
    next_unit_amount,
    per_unit,
    price_quantity,
    tier_index,
)

AMOUNTS = st.integers(min_value=0, max_value=10**4)
QUANTITIES = st.integers(min_value=0, max_value=300)
"""Bounds are at most 100, so quantities cross and land on them often."""
TierDicts = list[dict[str, int]]


@st.composite
def tier_dicts(
    draw: st.DrawFn, *, unit_order: str = "any", flat_fees: bool = True, max_tiers: int = 6
) -> TierDicts:
    """A valid camelCase tier list: bounds strictly rising, the last tier unbounded.

    `unit_order`: "any", "falling" (unit prices never rise) or "rising" (never fall).
    """
    count = draw(st.integers(min_value=1, max_value=max_tiers))
    bounds = sorted(
        draw(
            st.lists(
                st.integers(min_value=1, max_value=100),
                min_size=count - 1,
                max_size=count - 1,
                unique=True,
            )
        )
    )
    units = draw(st.lists(AMOUNTS, min_size=count, max_size=count))
    if unit_order == "falling":
        units.sort(reverse=True)
    elif unit_order == "rising":
        units.sort()
    flats = draw(st.lists(AMOUNTS if flat_fees else st.just(0), min_size=count, max_size=count))
    tiers: TierDicts = []
    for index in range(count):
        tier = {"unitAmount": units[index], "flatAmount": flats[index]}
        if index < count - 1:
            tier["upTo"] = bounds[index]
        tiers.append(tier)
    return tiers


def _tiered(model: str, tiers: TierDicts) -> PriceModel:
    return PriceModel.model_validate({"model": model, "tiers": tiers})


def _spans(tiers: TierDicts) -> list[tuple[int, int | None]]:
    """Each tier's first and last unit, from the rule "a tier starts one past the bound before"."""
    spans: list[tuple[int, int | None]] = []
    previous = 0
    for tier in tiers:
        spans.append((previous + 1, tier.get("upTo")))
        previous = tier.get("upTo", previous)
    return spans


def _holding(tiers: TierDicts, unit: int) -> int:
    """The index of the tier holding `unit` (unit 0 is in the first tier)."""
    for index, (_, last) in enumerate(_spans(tiers)):
        if last is None or unit <= last:
            return index
    raise AssertionError("the last tier is unbounded")


def _graduated_reference(tiers: TierDicts, quantity: int) -> int:
    """Unit by unit: each unit at its tier's price, plus the flat fee of every tier reached
    (the first tier is reached even at quantity 0)."""
    units = sum(tiers[_holding(tiers, unit)]["unitAmount"] for unit in range(1, quantity + 1))
    reached = _holding(tiers, quantity)
    return units + sum(tier["flatAmount"] for tier in tiers[: reached + 1])


def _all_ints(priced: PricedQuantity) -> bool:
    values: list[Any] = [priced.quantity, priced.amount]
    for charge in priced.tiers:
        values += [charge.tier, charge.first_unit, charge.quantity, charge.unit_amount]
        values += [charge.flat_amount, charge.amount]
        if charge.last_unit is not None:
            values.append(charge.last_unit)
    return all(type(value) is int for value in values)


# --- properties ---------------------------------------------------------------------------


@given(tier_dicts(unit_order="falling", flat_fees=False), QUANTITIES)
def test_volume_never_exceeds_graduated_when_unit_prices_fall(
    tiers: TierDicts, quantity: int
) -> None:
    """Volume prices every unit at the lowest price reached; graduated pays the dearer early
    tiers in full."""
    volume = price_quantity(_tiered("volume", tiers), quantity).amount
    graduated = price_quantity(_tiered("graduated", tiers), quantity).amount
    assert volume <= graduated


@given(tier_dicts(unit_order="rising", flat_fees=False), QUANTITIES)
def test_graduated_never_exceeds_volume_when_unit_prices_rise(
    tiers: TierDicts, quantity: int
) -> None:
    volume = price_quantity(_tiered("volume", tiers), quantity).amount
    graduated = price_quantity(_tiered("graduated", tiers), quantity).amount
    assert graduated <= volume


@given(tier_dicts(), QUANTITIES)
def test_graduated_matches_a_unit_by_unit_reference(tiers: TierDicts, quantity: int) -> None:
    priced = price_quantity(_tiered("graduated", tiers), quantity)
    assert priced.amount == _graduated_reference(tiers, quantity)


@given(tier_dicts(), QUANTITIES)
def test_graduated_is_non_decreasing_in_quantity(tiers: TierDicts, quantity: int) -> None:
    price = _tiered("graduated", tiers)
    assert price_quantity(price, quantity + 1).amount >= price_quantity(price, quantity).amount
    assert next_unit_amount(price, quantity) >= 0


@given(tier_dicts(), QUANTITIES)
def test_graduated_breakdown_sums_to_the_quantity_and_amount(
    tiers: TierDicts, quantity: int
) -> None:
    priced = price_quantity(_tiered("graduated", tiers), quantity)
    assert priced.quantity == quantity
    assert sum(charge.quantity for charge in priced.tiers) == quantity
    assert sum(charge.amount for charge in priced.tiers) == priced.amount
    # The tiers reached, in order: every one but the last filled to its bound.
    reached = _holding(tiers, quantity)
    assert [charge.tier for charge in priced.tiers] == list(range(1, reached + 2))
    spans = _spans(tiers)
    for charge, (first, last) in zip(priced.tiers[:-1], spans, strict=False):
        assert last is not None
        assert (charge.first_unit, charge.last_unit) == (first, last)
        assert charge.quantity == last - first + 1


@given(tier_dicts(), QUANTITIES)
def test_graduated_next_unit_costs_its_tiers_price(tiers: TierDicts, quantity: int) -> None:
    """Unit q+1 costs its tier's unit price, plus that tier's flat fee when it is the tier's
    first unit, except in the first tier, whose fee is already charged at quantity 0."""
    price = _tiered("graduated", tiers)
    index = _holding(tiers, quantity + 1)
    first_unit = _spans(tiers)[index][0]
    expected = tiers[index]["unitAmount"]
    if quantity + 1 == first_unit and index > 0:
        expected += tiers[index]["flatAmount"]
    assert next_unit_amount(price, quantity) == expected


@given(tier_dicts(), QUANTITIES)
def test_volume_prices_every_unit_in_the_one_tier_holding_the_quantity(
    tiers: TierDicts, quantity: int
) -> None:
    price = _tiered("volume", tiers)
    priced = price_quantity(price, quantity)
    index = _holding(tiers, quantity)
    assert tier_index(price.tiers or [], quantity) == index
    [charge] = priced.tiers
    assert charge.tier == index + 1
    assert (charge.first_unit, charge.last_unit) == _spans(tiers)[index]
    assert charge.quantity == quantity
    tier = tiers[index]
    assert charge.unit_amount == tier["unitAmount"]
    assert charge.flat_amount == tier["flatAmount"]
    assert charge.amount == priced.amount == quantity * tier["unitAmount"] + tier["flatAmount"]


@given(AMOUNTS, AMOUNTS, QUANTITIES)
def test_a_single_unbounded_tier_is_per_unit_plus_its_flat_fee(
    unit: int, flat: int, quantity: int
) -> None:
    tiers = [{"unitAmount": unit, "flatAmount": flat}]
    expected = price_quantity(per_unit(unit), quantity).amount + flat
    assert expected == quantity * unit + flat
    assert price_quantity(_tiered("graduated", tiers), quantity).amount == expected
    assert price_quantity(_tiered("volume", tiers), quantity).amount == expected


@given(AMOUNTS, QUANTITIES)
def test_per_unit_is_quantity_times_amount(amount: int, quantity: int) -> None:
    priced = price_quantity(PriceModel.model_validate({"amount": amount}), quantity)
    assert priced.amount == quantity * amount
    assert priced.tiers == []
    assert next_unit_amount(per_unit(amount), quantity) == amount


def _package(size: int, amount: int) -> PriceModel:
    return PriceModel.model_validate({"model": "package", "amount": amount, "packageSize": size})


@given(st.integers(min_value=1, max_value=100), AMOUNTS, QUANTITIES)
def test_package_rounds_up_to_whole_packages(size: int, amount: int, quantity: int) -> None:
    price = _package(size, amount)
    rounded_up = -(-quantity // size) * size
    priced = price_quantity(price, quantity)
    assert priced.amount == price_quantity(price, rounded_up).amount
    assert priced.tiers == []
    assert price_quantity(price, quantity + 1).amount >= priced.amount


@given(st.integers(min_value=1, max_value=100), AMOUNTS, st.integers(min_value=0, max_value=50))
def test_package_k_packages_cost_k_times_the_amount(size: int, amount: int, k: int) -> None:
    assert price_quantity(_package(size, amount), k * size).amount == k * amount


@given(
    st.one_of(
        tier_dicts().map(lambda tiers: {"model": "graduated", "tiers": tiers}),
        tier_dicts().map(lambda tiers: {"model": "volume", "tiers": tiers}),
        AMOUNTS.map(lambda amount: {"model": "per_unit", "amount": amount}),
        st.tuples(AMOUNTS, st.integers(min_value=1, max_value=100)).map(
            lambda pair: {"model": "package", "amount": pair[0], "packageSize": pair[1]}
        ),
    ),
    QUANTITIES,
)
def test_results_are_always_ints(payload: dict[str, Any], quantity: int) -> None:
    price = PriceModel.model_validate(payload)
    assert _all_ints(price_quantity(price, quantity))
    assert type(next_unit_amount(price, quantity)) is int


# --- worked examples ----------------------------------------------------------------------

STRIPE_BOUNDARY = [{"upTo": 5000, "unitAmount": 10}, {"unitAmount": 8}]
"""`upTo: 5000` is inclusive: unit 5,000 is in the first tier, unit 5,001 in the second."""


@pytest.mark.parametrize(
    ("quantity", "graduated", "volume", "index"),
    [
        (4999, 49_990, 49_990, 0),  # 4,999 x 10
        (5000, 50_000, 50_000, 0),  # 5,000 x 10: unit 5,000 still in tier 1
        (5001, 50_008, 40_008, 1),  # graduated 5,000 x 10 + 1 x 8; volume 5,001 x 8
        (6000, 58_000, 48_000, 1),  # graduated 50,000 + 1,000 x 8; volume 6,000 x 8
    ],
)
def test_inclusive_up_to_boundary(quantity: int, graduated: int, volume: int, index: int) -> None:
    assert price_quantity(_tiered("graduated", STRIPE_BOUNDARY), quantity).amount == graduated
    assert price_quantity(_tiered("volume", STRIPE_BOUNDARY), quantity).amount == volume
    tiers = _tiered("volume", STRIPE_BOUNDARY).tiers or []
    assert tier_index(tiers, quantity) == index


def test_graduated_boundary_breakdown() -> None:
    priced = price_quantity(_tiered("graduated", STRIPE_BOUNDARY), 5001)
    assert [(c.tier, c.first_unit, c.last_unit, c.quantity, c.amount) for c in priced.tiers] == [
        (1, 1, 5000, 5000, 50_000),
        (2, 5001, None, 1, 8),
    ]


STRIPE_LICENSES = [
    {"upTo": 5, "unitAmount": 700},
    {"upTo": 10, "unitAmount": 650},
    {"unitAmount": 600},
]
"""Stripe's per-seat example: units 1-5 at $7.00, 6-10 at $6.50, 11 and up at $6.00."""


@pytest.mark.parametrize(
    ("quantity", "graduated", "volume"),
    [
        (0, 0, 0),
        (1, 700, 700),
        (5, 3500, 3500),  # 5 x 700 both ways
        (6, 4150, 3900),  # graduated 3,500 + 650; volume 6 x 650
        (7, 4800, 4550),  # graduated 3,500 + 2 x 650 = $48.00; volume 7 x 650 = $45.50
        (10, 6750, 6500),  # graduated 3,500 + 5 x 650; volume 10 x 650
        (11, 7350, 6600),  # graduated 6,750 + 600; volume 11 x 600
        (15, 9750, 9000),  # graduated 6,750 + 5 x 600; volume 15 x 600
    ],
)
def test_graduated_and_volume_worked_examples(quantity: int, graduated: int, volume: int) -> None:
    assert price_quantity(_tiered("graduated", STRIPE_LICENSES), quantity).amount == graduated
    assert price_quantity(_tiered("volume", STRIPE_LICENSES), quantity).amount == volume


FLAT_FEES = [
    {"upTo": 10, "unitAmount": 100, "flatAmount": 2000},
    {"unitAmount": 50, "flatAmount": 500},
]


@pytest.mark.parametrize(
    ("quantity", "graduated", "volume"),
    [
        (0, 2000, 2000),  # 0 falls in tier 1: its flat fee alone
        (1, 2100, 2100),  # 2,000 + 100
        (10, 3000, 3000),  # 2,000 + 10 x 100
        (11, 3550, 1050),  # graduated 3,000 + 500 + 50; volume 500 + 11 x 50
        (20, 4000, 1500),  # graduated 3,000 + 500 + 10 x 50; volume 500 + 20 x 50
    ],
)
def test_flat_fees(quantity: int, graduated: int, volume: int) -> None:
    assert price_quantity(_tiered("graduated", FLAT_FEES), quantity).amount == graduated
    assert price_quantity(_tiered("volume", FLAT_FEES), quantity).amount == volume


def test_next_unit_amount_examples() -> None:
    graduated = _tiered("graduated", FLAT_FEES)
    assert next_unit_amount(graduated, 0) == 100  # tier 1's fee was charged at 0 already
    assert next_unit_amount(graduated, 9) == 100
    assert next_unit_amount(graduated, 10) == 550  # unit 11 opens tier 2: 500 + 50
    assert next_unit_amount(graduated, 11) == 50
    volume = _tiered("volume", FLAT_FEES)
    assert next_unit_amount(volume, 10) == 1050 - 3000  # unit 11 cheapens all 11
    assert next_unit_amount(_tiered("volume", STRIPE_LICENSES), 5) == 3900 - 3500
    assert next_unit_amount(_tiered("volume", STRIPE_LICENSES), 10) == 6600 - 6500


@pytest.mark.parametrize(
    ("quantity", "amount"),
    [(0, 0), (1, 500), (5, 500), (6, 1000), (8, 1000), (10, 1000), (11, 1500)],
)
def test_package_examples(quantity: int, amount: int) -> None:
    """$5.00 for every started block of 5 units."""
    assert price_quantity(_package(5, 500), quantity).amount == amount


def test_tier_index_puts_units_0_and_1_in_the_first_tier() -> None:
    tiers = [Tier(up_to=1, unit_amount=1), Tier(up_to=2, unit_amount=2), Tier(unit_amount=3)]
    assert [tier_index(tiers, unit) for unit in (0, 1, 2, 3, 10**6)] == [0, 0, 1, 2, 2]


@pytest.mark.parametrize(
    "price",
    [per_unit(1), _package(3, 1), _tiered("graduated", FLAT_FEES), _tiered("volume", FLAT_FEES)],
)
def test_a_negative_quantity_is_refused(price: PriceModel) -> None:
    with pytest.raises(ValueError, match="negative"):
        price_quantity(price, -1)


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        pytest.param(
            {"model": "graduated", "tiers": [{"upTo": 5}, {"upTo": 5}, {}]},
            ("tiers", 1, "upTo"),
            id="bounds-equal",
        ),
        pytest.param(
            {"model": "volume", "tiers": [{"upTo": 10}, {"upTo": 20}, {"upTo": 15}, {}]},
            ("tiers", 2, "upTo"),
            id="bounds-falling",
        ),
        pytest.param(
            {"model": "graduated", "tiers": [{"upTo": 5}, {}, {"upTo": 10}, {}]},
            ("tiers", 1, "upTo"),
            id="unbounded-before-last",
        ),
        pytest.param(
            {"model": "volume", "tiers": [{"upTo": 5}, {"upTo": 10}]},
            ("tiers", 1, "upTo"),
            id="bounded-last",
        ),
        pytest.param(
            {"model": "graduated", "tiers": [{"upTo": 0}, {}]},
            ("tiers", 0, "upTo"),
            id="zero-bound",
        ),
        pytest.param(
            {"model": "volume", "tiers": [{"upTo": 5, "unitAmount": -1}, {}]},
            ("tiers", 0, "unitAmount"),
            id="negative-unit-amount",
        ),
        pytest.param(
            {"model": "graduated", "tiers": [{"upTo": 5}, {"flatAmount": -1}]},
            ("tiers", 1, "flatAmount"),
            id="negative-flat-amount",
        ),
        pytest.param({"model": "per_unit", "amount": -1}, ("amount",), id="negative-amount"),
        pytest.param(
            {"model": "package", "amount": 100, "packageSize": 0},
            ("packageSize",),
            id="zero-package-size",
        ),
        pytest.param(
            {"model": "graduated", "tiers": [{"upTo": i + 1} for i in range(MAX_TIERS)] + [{}]},
            ("tiers",),
            id="too-many-tiers",
        ),
        pytest.param({"model": "volume", "tiers": []}, ("tiers",), id="no-tiers"),
        pytest.param({"model": "graduated"}, ("tiers",), id="graduated-without-tiers"),
        pytest.param({"model": "volume"}, ("tiers",), id="volume-without-tiers"),
        pytest.param(
            {"model": "per_unit", "amount": 1, "tiers": [{"unitAmount": 1}]},
            ("tiers",),
            id="tiers-on-per-unit",
        ),
        pytest.param(
            {"model": "package", "amount": 100}, ("packageSize",), id="package-without-size"
        ),
        pytest.param(
            {"model": "per_unit", "amount": 100, "packageSize": 5},
            ("packageSize",),
            id="package-size-on-per-unit",
        ),
        pytest.param({"model": "per_unit"}, ("amount",), id="per-unit-without-amount"),
        pytest.param(
            {"model": "volume", "amount": 1, "tiers": [{}]}, ("amount",), id="amount-on-tiers"
        ),
    ],
)
def test_invalid_prices_name_the_field(payload: dict[str, Any], loc: tuple[str | int, ...]) -> None:
    with pytest.raises(ValidationError) as raised:
        PriceModel.model_validate(payload)
    assert raised.value.errors()[0]["loc"] == loc


@given(tier_dicts(max_tiers=MAX_TIERS))
def test_generated_tier_lists_are_valid(tiers: TierDicts) -> None:
    """The strategy's lists pass validation and keep their bounds (a check on the strategy)."""
    price = _tiered("graduated", tiers)
    assert [tier.up_to for tier in price.tiers or []] == [tier.get("upTo") for tier in tiers]
