"""Credit types: the kinds of prepaid credit customers hold (e.g. "AI credits")."""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Self

from pydantic import Field, StrictInt, model_validator

from billfold.catalog.models import CreditAllowance, Entitlement
from billfold.catalog.terms import FeatureUnit, Name
from billfold.clock import Clock
from billfold.errors import ErrorCode, InvalidInput, NotFound, already_exists
from billfold.identifiers import CatalogId, Metadata
from billfold.models import ApiModel, RequestModel, ValueModel
from billfold.money import Currency
from billfold.patching import unchanged
from billfold.storage import keys
from billfold.storage.table import ITEM_IS_NEW, ConditionFailed, Table


class PackPrice(ValueModel):
    """What a pack costs in one currency, in minor units."""

    currency: Currency
    amount: Annotated[StrictInt, Field(ge=1, le=10**12)]


class CreditPack(ValueModel):
    """A top-up customers can buy: `credits` for one of `prices`."""

    id: CatalogId
    name: Name
    credits: Annotated[StrictInt, Field(ge=1, le=10**12)]
    prices: Annotated[list[PackPrice], Field(min_length=1, max_length=50)]

    @model_validator(mode="after")
    def _one_price_per_currency(self) -> Self:
        currencies = [price.currency for price in self.prices]
        if len(set(currencies)) != len(currencies):
            raise ValueError("one price per currency")
        return self

    def price_in(self, currency: str) -> int | None:
        """The pack's price in the currency, if it is sold in it."""
        return next((p.amount for p in self.prices if p.currency == currency), None)


class CreditTypeCreate(RequestModel):
    """A new kind of credit, e.g. `ai-credits`, with the packs customers may buy."""

    id: CatalogId
    name: Name
    unit: FeatureUnit
    packs: Annotated[list[CreditPack], Field(max_length=20)] = Field(default_factory=list)
    metadata: Metadata = Field(default_factory=dict)

    @model_validator(mode="after")
    def _packs_once(self) -> Self:
        ids = [pack.id for pack in self.packs]
        if len(set(ids)) != len(ids):
            raise ValueError("each pack id once")
        return self


class CreditType(ApiModel):
    """A kind of credit that customers hold balances of, and buy in packs."""

    id: str
    name: str
    unit: FeatureUnit
    packs: list[CreditPack] = Field(default_factory=list)
    metadata: dict[str, str]
    created_at: datetime

    def pack(self, pack_id: str) -> CreditPack:
        """One of the type's packs (400 naming `packId` when there is none by that id)."""
        for pack in self.packs:
            if pack.id == pack_id:
                return pack
        raise InvalidInput(
            f"credit type '{self.id}' has no pack '{pack_id}'",
            field="packId",
            code=ErrorCode.UNKNOWN_CREDIT_PACK,
        )


def create_credit_type(table: Table, request: CreditTypeCreate, clock: Clock) -> CreditType:
    """Create a credit type; repeating the same request returns it (safe to retry)."""
    credit_type = CreditType(**request.model_dump(), created_at=clock.now())
    item = {**keys.credit_type(request.id), "kind": "credit_type"}
    try:
        table.put({**item, **credit_type.model_dump(mode="json")}, ITEM_IS_NEW)
    except ConditionFailed:
        existing = get_credit_type(table, request.id, consistent=True)
        if unchanged(existing, request):
            return existing
        raise already_exists("credit type", request.id) from None
    return credit_type


def get_credit_type(table: Table, credit_type_id: str, *, consistent: bool = False) -> CreditType:
    """One credit type, or NotFound."""
    item = table.get(keys.credit_type(credit_type_id), consistent=consistent)
    if item is None:
        raise NotFound(
            f"credit type '{credit_type_id}' does not exist",
            code=ErrorCode.CREDIT_TYPE_NOT_FOUND,
        )
    return CreditType.model_validate(item)


def list_credit_types(
    table: Table, *, limit: int, cursor: str | None
) -> tuple[list[CreditType], str | None]:
    """One page of credit types, by id."""
    page = table.query(keys.CREDIT_TYPES_PARTITION, limit=limit, cursor=cursor)
    return [CreditType.model_validate(i) for i in page.items], page.next_cursor


def require_credit_types(
    table: Table,
    entitlements: Sequence[Entitlement],
    allowances: Sequence[CreditAllowance] = (),
) -> None:
    """Each credit type the entitlements draw, and the allowances grant, exists (else 400
    naming the field)."""
    pairs = [
        (e.credits.credit_type_id, f"entitlements.{i}.credits.creditTypeId")
        for i, e in enumerate(entitlements)
        if e.credits
    ]
    pairs += [
        (a.credit_type_id, f"creditAllowances.{i}.creditTypeId") for i, a in enumerate(allowances)
    ]
    if not pairs:
        return
    found = {
        item["id"]
        for item in table.get_many(
            [keys.credit_type(i) for i in sorted({i for i, _ in pairs})], consistent=True
        )
    }
    for credit_type_id, field in pairs:
        if credit_type_id not in found:
            raise InvalidInput(
                f"credit type '{credit_type_id}' does not exist",
                field=field,
                code=ErrorCode.UNKNOWN_CREDIT_TYPE,
            )
