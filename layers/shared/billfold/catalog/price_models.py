"""Price models: what a quantity costs per unit, in graduated or volume tiers, or by the package.

Pure and exact: integer minor units, no floats, no rounding except a package count's ceiling.
The rules are Stripe's (https://docs.stripe.com/products-prices/pricing-models#tiered-pricing):

- tiers are listed in ascending order and each `upTo` is inclusive: `upTo: 5000` holds unit
  5,000; a tier starts one past the bound before it; only the last tier is unbounded;
- graduated: each tier prices the units inside it, and adds its flat fee once the quantity
  reaches it; volume: the tier the whole quantity falls in prices every unit and adds its flat
  fee; a quantity of 0 falls in the first tier, so a first-tier flat fee is charged even then;
- package: every started block of `packageSize` units costs `amount` (rounded up; 0 units cost
  nothing).
"""

from collections.abc import Sequence
from typing import Annotated, Literal, Self

from pydantic import Field, StrictInt, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from billfold.models import ApiModel, ValueModel

PriceModelKind = Literal["per_unit", "graduated", "volume", "package"]

MAX_TIERS = 25
_Amount = Annotated[StrictInt, Field(ge=0, le=10**12)]
_Bound = Annotated[StrictInt, Field(ge=1, le=10**15)]


class Tier(ValueModel):
    """One tier: the units up to and including `upTo` (none: every unit beyond), priced at
    `unitAmount` each, plus `flatAmount` once."""

    up_to: _Bound | None = None
    unit_amount: _Amount = 0
    flat_amount: _Amount = 0


def _located(location: tuple[int | str, ...], message: str, value: object) -> ValidationError:
    """A validation error at `location` inside the value validated (pydantic adds the outer
    path), so the error names the field at fault: `prices.0.tiers.1.upTo`."""
    error = PydanticCustomError("invalid_price", message)
    return ValidationError.from_exception_data(
        "price", [InitErrorDetails(type=error, loc=location, input=value)]
    )


def _check_bounds(tiers: Sequence[Tier]) -> None:
    """Bounds rise strictly, and only the last tier (which must be) is unbounded."""
    previous = 0
    for index, tier in enumerate(tiers):
        last = index == len(tiers) - 1
        if tier.up_to is None and not last:
            raise _located((index, "upTo"), "only the last tier may be unbounded", None)
        if tier.up_to is not None and last:
            raise _located(
                (index, "upTo"), "the last tier must be unbounded (leave out upTo)", tier.up_to
            )
        if tier.up_to is not None and tier.up_to <= previous:
            raise _located(
                (index, "upTo"),
                f"must be greater than the tier before's upTo ({previous})",
                tier.up_to,
            )
        previous = tier.up_to or previous


class PriceModel(ValueModel):
    """How a quantity is priced: `per_unit` (`amount` each), `graduated` or `volume` (`tiers`),
    or `package` (`amount` for every started block of `packageSize` units)."""

    model: PriceModelKind = "per_unit"
    amount: _Amount | None = Field(
        default=None, description="per_unit: the price of one unit; package: of one package"
    )
    package_size: Annotated[StrictInt, Field(ge=1, le=10**9)] | None = None
    tiers: Annotated[list[Tier], Field(min_length=1, max_length=MAX_TIERS)] | None = None

    @field_validator("tiers")
    @classmethod
    def _bounds_rise(cls, tiers: list[Tier] | None) -> list[Tier] | None:
        if tiers is not None:
            _check_bounds(tiers)
        return tiers

    @model_validator(mode="after")
    def _fields_fit_model(self) -> Self:
        tiered = self.model in ("graduated", "volume")
        if tiered and self.tiers is None:
            raise _located(("tiers",), f"a {self.model} price needs tiers", None)
        if not tiered and self.tiers is not None:
            raise _located(("tiers",), f"a {self.model} price has no tiers", None)
        if not tiered and self.amount is None:
            raise _located(("amount",), f"a {self.model} price needs an amount", None)
        if tiered and self.amount is not None:
            raise _located(
                ("amount",), f"a {self.model} price has no amount: its tiers price it", self.amount
            )
        if (self.model == "package") != (self.package_size is not None):
            raise _located(
                ("packageSize",), "packageSize belongs to, and is needed by, a package price", None
            )
        return self

    def price_model(self) -> "PriceModel":
        """The price model alone, without what a subclass adds (currency, period)."""
        return PriceModel.model_validate(self.model_dump(include=set(PriceModel.model_fields)))


class TierCharge(ApiModel):
    """A tier's part of a price: the units it priced (from `firstUnit` to `lastUnit`,
    inclusive; none: unbounded), at `unitAmount` each, plus `flatAmount`: `amount` in all."""

    tier: int
    first_unit: int
    last_unit: int | None
    quantity: int
    unit_amount: int
    flat_amount: int
    amount: int


class PricedQuantity(ApiModel):
    """What a quantity costs, with each tier's part (none for per_unit and package)."""

    quantity: int
    amount: int
    tiers: list[TierCharge] = Field(default_factory=list)


def per_unit(amount: int) -> PriceModel:
    """A price of `amount` per unit."""
    return PriceModel(model="per_unit", amount=amount)


def _bounds(tiers: Sequence[Tier]) -> list[tuple[int, int | None]]:
    """Each tier's first and last unit (inclusive; None: unbounded)."""
    spans, first = [], 1
    for tier in tiers:
        spans.append((first, tier.up_to))
        first = (tier.up_to or first) + 1
    return spans


def _charge(number: int, tier: Tier, span: tuple[int, int | None], quantity: int) -> TierCharge:
    return TierCharge(
        tier=number,
        first_unit=span[0],
        last_unit=span[1],
        quantity=quantity,
        unit_amount=tier.unit_amount,
        flat_amount=tier.flat_amount,
        amount=quantity * tier.unit_amount + tier.flat_amount,
    )


def tier_index(tiers: Sequence[Tier], unit: int) -> int:
    """The index of the tier holding `unit` (unit 0 and 1 are in the first tier)."""
    for index, tier in enumerate(tiers):
        if tier.up_to is None or unit <= tier.up_to:
            return index
    return len(tiers) - 1


def _graduated(tiers: Sequence[Tier], quantity: int) -> list[TierCharge]:
    charges = []
    for index, (tier, span) in enumerate(zip(tiers, _bounds(tiers), strict=True)):
        if quantity < span[0] and index > 0:
            break
        inside = min(quantity, span[1] if span[1] is not None else quantity) - span[0] + 1
        charges.append(_charge(index + 1, tier, span, max(inside, 0)))
    return charges


def _volume(tiers: Sequence[Tier], quantity: int) -> list[TierCharge]:
    index = tier_index(tiers, quantity)
    return [_charge(index + 1, tiers[index], _bounds(tiers)[index], quantity)]


def price_quantity(price: PriceModel, quantity: int) -> PricedQuantity:
    """What `quantity` units cost under `price`."""
    if quantity < 0:
        raise ValueError("quantity must not be negative")
    if price.tiers is not None:
        charges = (_graduated if price.model == "graduated" else _volume)(price.tiers, quantity)
        return PricedQuantity(
            quantity=quantity, amount=sum(c.amount for c in charges), tiers=charges
        )
    amount = price.amount or 0
    if price.model == "package":
        packages = -(-quantity // (price.package_size or 1))
        return PricedQuantity(quantity=quantity, amount=packages * amount)
    return PricedQuantity(quantity=quantity, amount=quantity * amount)


def next_unit_amount(price: PriceModel, quantity: int) -> int:
    """What one more unit past `quantity` adds to the price (negative where a volume tier
    lowers every unit's price)."""
    return price_quantity(price, quantity + 1).amount - price_quantity(price, quantity).amount
