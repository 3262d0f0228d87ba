"""Who may set what. Terms that cost the seller money (a trial of the caller's choosing, a
coupon, a backdated start) are the seller's to grant: a customer acting through the portal may
choose a plan, billing period, currency, add-ons and a promotion code, and nothing more.

The rule is stated once, on the request models: a field annotated `SellerOnly` may be set only
by the seller. `refuse_seller_terms` enforces it for every request a customer sends, whatever
route carries it, and the OpenAPI document marks each such field (`x-billfold-seller-only`).
"""

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from billfold.errors import ErrorCode, Forbidden

if TYPE_CHECKING:  # every handler imports this module: nothing more than it runs
    from pydantic import GetJsonSchemaHandler
    from pydantic.json_schema import JsonSchemaValue
    from pydantic_core import CoreSchema


class Caller(StrEnum):
    """Who sent a request."""

    SELLER = "seller"
    """The seller's backend, with a server key."""
    CUSTOMER = "customer"
    """A customer, with a portal token."""


class _SellerOnly:
    """Marks a request field only the seller may set (use the `SellerOnly` instance)."""

    def __get_pydantic_json_schema__(
        self, schema: "CoreSchema", handler: "GetJsonSchemaHandler"
    ) -> "JsonSchemaValue":
        document = handler(schema)
        document["x-billfold-seller-only"] = True
        return document

    def __repr__(self) -> str:
        return "SellerOnly"


SellerOnly = _SellerOnly()
"""`Annotated[T, SellerOnly]`: a customer (portal token) setting this field gets a 403."""


def seller_only_fields(model: type[BaseModel]) -> frozenset[str]:
    """The names of `model`'s own fields that only the seller may set."""
    return frozenset(
        name for name, info in model.model_fields.items() if SellerOnly in info.metadata
    )


def _set_seller_terms(value: Any, path: str) -> str | None:
    """The wire path of the first seller-only field set in `value`, if any."""
    if isinstance(value, BaseModel):
        restricted = seller_only_fields(type(value))
        for name in sorted(value.model_fields_set):
            field = type(value).model_fields[name]
            wire = f"{path}{field.alias or name}"
            inner = getattr(value, name)
            if name in restricted and inner is not None:
                return wire
            found = _set_seller_terms(inner, f"{wire}.")
            if found:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _set_seller_terms(item, f"{path}{index}.")
            if found:
                return found
    return None


def refuse_seller_terms(request: BaseModel, caller: Caller) -> None:
    """Raise Forbidden `seller_only_field`, naming the field, when a customer sets a field only
    the seller may set (anywhere in the request, nested models and lists included). It is
    checked before anything is read, so a refusal reveals nothing about the value."""
    if caller is Caller.SELLER:
        return
    field = _set_seller_terms(request, "")
    if field is not None:
        raise Forbidden(
            f"{field} is granted by the seller only; it cannot be set with a portal token",
            field=field,
            code=ErrorCode.SELLER_ONLY_FIELD,
        )
