"""Coupons: a percentage or a fixed amount off, once, for some months, or forever."""

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import Field, StrictInt, model_validator

from billfold.catalog.terms import Discount, Name
from billfold.clock import Clock
from billfold.errors import ErrorCode, NotFound, RuleViolation, already_exists
from billfold.identifiers import CatalogId, Metadata
from billfold.models import ApiModel, RequestModel
from billfold.money import Currency, MinorUnits
from billfold.patching import unchanged
from billfold.storage import keys
from billfold.storage.table import ITEM_IS_NEW, ConditionFailed, Table

Duration = Literal["once", "repeating", "forever"]
"""once: the first invoice only. repeating: every invoice of the first `durationInMonths`
months. forever: every invoice."""


class CouponCreate(RequestModel):
    """A new coupon: `percentOff` (1-100), or `amountOff` in `currency`."""

    id: CatalogId
    name: Name
    percent_off: Annotated[StrictInt, Field(ge=1, le=100)] | None = None
    amount_off: MinorUnits | None = None
    currency: Currency | None = None
    duration: Duration = "once"
    duration_in_months: Annotated[StrictInt, Field(ge=1, le=120)] | None = None
    metadata: Metadata = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (self.percent_off is None) == (self.amount_off is None):
            raise ValueError("give either percentOff or amountOff")
        if (self.amount_off is None) != (self.currency is None):
            raise ValueError("amountOff needs a currency, and only amountOff takes one")
        if (self.duration == "repeating") != (self.duration_in_months is not None):
            raise ValueError("durationInMonths goes with (and only with) a repeating duration")
        return self


class Coupon(ApiModel):
    """A coupon, as created (coupons never change: create another instead)."""

    id: str
    name: str
    percent_off: int | None = None
    amount_off: int | None = None
    currency: str | None = None
    duration: Duration
    duration_in_months: int | None = None
    metadata: dict[str, str]
    created_at: datetime

    def discount(self) -> Discount:
        """The coupon's terms as a discount on one bill."""
        return Discount(
            coupon_id=self.id,
            name=self.name,
            percent_off=self.percent_off,
            amount_off=self.amount_off,
        )


def create_coupon(table: Table, request: CouponCreate, clock: Clock) -> Coupon:
    """Create a coupon; the same request again returns it, other terms are a 409."""
    coupon = Coupon(**request.model_dump(), created_at=clock.now())
    item = {**keys.coupon(coupon.id), "kind": "coupon", **coupon.model_dump(mode="json")}
    try:
        table.put(item, ITEM_IS_NEW)
    except ConditionFailed:
        existing = get_coupon(table, request.id, consistent=True)
        if unchanged(existing, request):
            return existing
        raise already_exists("coupon", request.id) from None
    return coupon


def get_coupon(table: Table, coupon_id: str, *, consistent: bool = False) -> Coupon:
    """One coupon, or NotFound."""
    stored = table.get(keys.coupon(coupon_id), consistent=consistent)
    if stored is None:
        raise NotFound(f"coupon '{coupon_id}' does not exist", code=ErrorCode.COUPON_NOT_FOUND)
    return Coupon.model_validate(stored)


def list_coupons(
    table: Table, *, limit: int, cursor: str | None
) -> tuple[list[Coupon], str | None]:
    """One page of coupons, by id."""
    page = table.query(keys.COUPONS_PARTITION, limit=limit, cursor=cursor)
    return [Coupon.model_validate(item) for item in page.items], page.next_cursor


def find_coupon(table: Table, coupon_id: str) -> Coupon | None:
    """The coupon (read consistently), or None."""
    stored = table.get(keys.coupon(coupon_id), consistent=True)
    return Coupon.model_validate(stored) if stored else None


def coupon_for(table: Table, coupon_id: str, currency: str, field: str) -> Coupon:
    """The coupon a subscription asks for, once it is known to fit the currency."""
    stored = table.get(keys.coupon(coupon_id), consistent=True)
    if stored is None:
        raise RuleViolation(
            f"coupon '{coupon_id}' does not exist", field=field, code=ErrorCode.COUPON_NOT_FOUND
        )
    coupon = Coupon.model_validate(stored)
    if coupon.currency is not None and coupon.currency != currency:
        raise RuleViolation(
            f"coupon '{coupon_id}' is for {coupon.currency}, not {currency}",
            field=field,
            code=ErrorCode.COUPON_CURRENCY_MISMATCH,
        )
    return coupon
