"""Query and path parameters that many routes share: where each comes from and how it is
checked, declared once. `Api` hands them to Powertools' resolver as its Path and Query (which
validate them and describe them in the OpenAPI document); `LeanApi` validates them itself,
without importing the resolver."""

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime

from billfold.identifiers import (
    CATALOG_ID_PATTERN,
    CHECKOUT_SESSION_ID_PATTERN,
    CUSTOMER_ID_PATTERN,
)


@dataclass(frozen=True)
class Param:
    """A parameter's location, description and constraints (`Annotated[T, Param(...)]`)."""

    location: Literal["path", "query"]
    description: str
    pattern: str | None = None
    ge: int | None = None
    le: int | None = None
    max_length: int | None = None
    alias: str | None = None
    """The name on the wire, when it is not the argument's."""

    def constraints(self) -> dict[str, Any]:
        """The constraints given, as pydantic's `Field` and Powertools' params take them."""
        named = {"pattern": self.pattern, "ge": self.ge, "le": self.le}
        named["max_length"] = self.max_length
        return {name: value for name, value in named.items() if value is not None}


Limit = Annotated[int, Param("query", "page size (1-100)", ge=1, le=100)]
Cursor = Annotated[
    str | None, Param("query", "`nextCursor` from the previous page", max_length=2048)
]
Version = Annotated[int | None, Param("query", "a published version; default the latest", ge=1)]
Requested = Annotated[
    int, Param("query", "how much more the customer wants to use (default 1)", ge=0, le=10**12)
]
At = Annotated[
    AwareDatetime | None, Param("query", "a past moment (ISO 8601 with a time zone); default now")
]
IncludeArchived = Annotated[bool, Param("query", "list archived too", alias="includeArchived")]

CatalogIdPath = Annotated[str, Param("path", "a catalog id", pattern=CATALOG_ID_PATTERN)]
"""A feature, plan or add-on id in the path: malformed ids are a 400, never a key error."""
CustomerIdPath = Annotated[str, Param("path", "your customer id", pattern=CUSTOMER_ID_PATTERN)]
"""A customer id in the path."""
InvoiceIdPath = Annotated[str, Param("path", "an invoice id", pattern=r"^in_[0-9a-f]{8,64}$")]
PaymentMethodIdPath = Annotated[
    str, Param("path", "a Stripe payment method id", pattern=r"^pm_[A-Za-z0-9_]{1,100}$")
]
PromotionCodePath = Annotated[
    str, Param("path", "a promotion code (any case)", pattern=r"^[A-Za-z0-9_-]{3,40}$")
]
EndpointIdPath = Annotated[str, Param("path", "a webhook endpoint id", pattern=CATALOG_ID_PATTERN)]
DeliveryIdPath = Annotated[
    str, Param("path", "a webhook delivery id", pattern=r"^whd_[0-9a-f]{20,40}$")
]
CreditGrantIdPath = Annotated[
    str, Param("path", "a credit grant id", pattern=r"^crg_[0-9a-f]{32}$")
]
LinkTokenPath = Annotated[
    str, Param("path", "an email link's signed token", pattern=r"^bf_ln_[A-Za-z0-9_.-]{20,600}$")
]
CheckoutSessionIdPath = Annotated[
    str, Param("path", "a checkout session id", pattern=CHECKOUT_SESSION_ID_PATTERN)
]
PromotionCodeQuery = Annotated[
    str | None,
    Param(
        "query",
        "a promotion code to price the checkout with",
        pattern=r"^[A-Za-z0-9_-]{3,40}$",
        alias="promotionCode",
    ),
]
