"""Promotion codes: the customer-facing way to a discount (as Stripe's promotion codes).

A code such as `SPRING20` points to a coupon. The seller creates and deactivates codes with a
server key; a customer may give one when subscribing or changing (and see the discounted
preview first). A code is redeemed in the same transaction as the subscription it discounts,
conditional on it still being active and under `maxRedemptions`, and once per customer, so no
race can redeem it more often than allowed. A wrong, inactive, expired, used-up or ineligible
code gets one answer (422 `invalid_promotion_code`) that tells nothing more.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StrictBool, StrictInt, StringConstraints

from billfold.catalog.coupons import Coupon, find_coupon
from billfold.clock import Clock, as_utc
from billfold.errors import ErrorCode, InvalidInput, NotFound, RuleViolation, already_exists
from billfold.identifiers import CatalogId, Metadata
from billfold.models import ApiModel, RequestModel
from billfold.patching import unchanged
from billfold.storage import keys
from billfold.storage.table import (
    ITEM_IS_NEW,
    Condition,
    ConditionFailed,
    Put,
    Table,
    Update,
)

PromotionCodeText = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_-]{3,40}$"),
    AfterValidator(str.upper),
    Field(description="3-40 letters, digits, `-` or `_`; any case (codes are upper case)"),
]
"""A promotion code as a customer types it: matched without regard to case."""


class PromotionCodeCreate(RequestModel):
    """A new code for a coupon: `maxRedemptions` in all, until `expiresAt`; `firstTimeOnly`
    limits it to customers who were never billed."""

    code: PromotionCodeText
    coupon_id: CatalogId
    active: StrictBool = True
    expires_at: datetime | None = None
    max_redemptions: Annotated[StrictInt, Field(ge=1, le=10**9)] | None = None
    first_time_only: StrictBool = False
    metadata: Metadata = Field(default_factory=dict)


class PromotionCodeUpdate(RequestModel):
    """Turn a code off (or on again); its terms never change: create another code instead."""

    active: StrictBool


class PromotionCode(ApiModel):
    """A promotion code and how often it was redeemed."""

    code: str
    coupon_id: str
    active: bool
    expires_at: datetime | None = None
    max_redemptions: int | None = None
    first_time_only: bool
    times_redeemed: int = 0
    metadata: dict[str, str]
    created_at: datetime


def _item(code: PromotionCode) -> dict[str, object]:
    return {
        **keys.promotion_code(code.code),
        "kind": "promotion_code",
        **code.model_dump(mode="json", exclude={"times_redeemed"}),
        "times_redeemed": code.times_redeemed,
    }


def create_promotion_code(
    table: Table, request: PromotionCodeCreate, clock: Clock
) -> PromotionCode:
    """Create a code for an existing coupon; the same request again returns it."""
    if request.expires_at is not None and request.expires_at.tzinfo is None:
        raise InvalidInput("expiresAt needs a timezone (e.g. Z)", field="expiresAt")
    if find_coupon(table, request.coupon_id) is None:
        raise InvalidInput(
            f"coupon '{request.coupon_id}' does not exist",
            field="couponId",
            code=ErrorCode.UNKNOWN_COUPON,
        )
    code = PromotionCode(**request.model_dump(), created_at=clock.now())
    try:
        table.put(_item(code), ITEM_IS_NEW)
    except ConditionFailed:
        existing = get_promotion_code(table, request.code, consistent=True)
        if unchanged(existing, request):
            return existing
        raise already_exists("promotion code", request.code) from None
    return code


def get_promotion_code(table: Table, code: str, *, consistent: bool = False) -> PromotionCode:
    """One code (any case), or NotFound."""
    stored = table.get(keys.promotion_code(code.upper()), consistent=consistent)
    if stored is None:
        raise NotFound(
            f"promotion code '{code}' does not exist", code=ErrorCode.PROMOTION_CODE_NOT_FOUND
        )
    return PromotionCode.model_validate(stored)


def list_promotion_codes(
    table: Table, *, limit: int, cursor: str | None
) -> tuple[list[PromotionCode], str | None]:
    """One page of codes, by code."""
    page = table.query(keys.PROMOTION_CODES_PARTITION, limit=limit, cursor=cursor)
    return [PromotionCode.model_validate(item) for item in page.items], page.next_cursor


def update_promotion_code(table: Table, code: str, request: PromotionCodeUpdate) -> PromotionCode:
    """Turn a code off or on; a redemption racing with it sees one state or the other."""
    current = get_promotion_code(table, code, consistent=True)
    if current.active == request.active:
        return current
    try:
        stored = table.update(
            keys.promotion_code(current.code),
            "SET #active = :active",
            Condition("attribute_exists(pk)"),
            names={"#active": "active"},
            values={":active": request.active},
        )
    except ConditionFailed:
        raise NotFound(
            f"promotion code '{code}' does not exist", code=ErrorCode.PROMOTION_CODE_NOT_FOUND
        ) from None
    return PromotionCode.model_validate(stored)


def invalid_promotion_code() -> RuleViolation:
    """The one answer to any code that cannot be redeemed, whatever the reason."""
    return RuleViolation(
        "This promotion code is not valid.",
        field="promotionCode",
        code=ErrorCode.INVALID_PROMOTION_CODE,
    )


@dataclass(frozen=True)
class Redemption:
    """A code checked for one customer: its coupon, and the writes that redeem it (to go in
    the transaction of the subscription it discounts)."""

    code: str
    coupon: Coupon
    writes: tuple[Put | Update, ...]

    def lost(self, error: ConditionFailed, transaction_size: int) -> bool:
        """Whether a transaction ending with these writes failed on one of them (the code was
        turned off, used up or redeemed by this customer meanwhile)."""
        first = transaction_size - len(self.writes)
        return any(index >= first for index in error.failed_indexes)


def _redeemable(code: PromotionCode | None, now: datetime) -> PromotionCode:
    if code is None or not code.active:
        raise invalid_promotion_code()
    if code.expires_at is not None and as_utc(code.expires_at) <= now:
        raise invalid_promotion_code()
    if code.max_redemptions is not None and code.times_redeemed >= code.max_redemptions:
        raise invalid_promotion_code()
    return code


def redemption(
    table: Table,
    text: str,
    customer_id: str,
    currency: str,
    now: datetime,
    never_billed: Callable[[], bool],
) -> Redemption:
    """Check a code for a customer subscribing in `currency` at `now`, or raise the one
    `invalid_promotion_code` answer. `never_billed` is asked only of a first-time-only code."""
    code_key = keys.promotion_code(text.upper())
    redeemed_key = keys.promotion_code_redemption(customer_id, text.upper())
    found = {item["pk"]: item for item in table.get_many([code_key, redeemed_key], consistent=True)}
    stored = found.get(code_key["pk"])
    code = _redeemable(PromotionCode.model_validate(stored) if stored else None, now)
    if redeemed_key["pk"] in found:
        raise invalid_promotion_code()
    if code.first_time_only and not never_billed():
        raise invalid_promotion_code()
    coupon = find_coupon(table, code.coupon_id)
    if coupon is None or (coupon.currency is not None and coupon.currency != currency):
        raise invalid_promotion_code()
    count = Update(
        keys.promotion_code(code.code),
        "ADD #count :one",
        Condition(
            "#active = :yes AND (attribute_not_exists(#max) OR #count < #max)",
            {"#active": "active", "#max": "max_redemptions", "#count": "times_redeemed"},
            {":yes": True},
        ),
        values={":one": 1},
    )
    once = Put(
        {
            **keys.promotion_code_redemption(customer_id, code.code),
            "kind": "promotion_code_redemption",
            "coupon_id": coupon.id,
            "redeemed_at": now.isoformat(),
        },
        ITEM_IS_NEW,
    )
    return Redemption(code=code.code, coupon=coupon, writes=(count, once))
