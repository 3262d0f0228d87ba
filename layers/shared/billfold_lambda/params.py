"""Query and path parameters that many routes share, with their validation."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from billfold.identifiers import CATALOG_ID_PATTERN, CUSTOMER_ID_PATTERN

Limit = Annotated[int, Query(ge=1, le=100, description="page size (1-100)")]
Cursor = Annotated[
    str | None, Query(max_length=2048, description="`nextCursor` from the previous page")
]
Version = Annotated[int | None, Query(ge=1, description="a published version; default the latest")]
Requested = Annotated[
    int, Query(ge=0, le=10**12, description="how much more the customer wants to use (default 1)")
]
IncludeArchived = Annotated[bool, Query(alias="includeArchived", description="list archived too")]

CatalogIdPath = Annotated[str, Path(pattern=CATALOG_ID_PATTERN, description="a catalog id")]
"""A feature, plan or add-on id in the path: malformed ids are a 400, never a key error."""
CustomerIdPath = Annotated[str, Path(pattern=CUSTOMER_ID_PATTERN, description="your customer id")]
"""A customer id in the path."""
InvoiceIdPath = Annotated[str, Path(pattern=r"^in_[0-9a-f]{8,64}$", description="an invoice id")]
PaymentMethodIdPath = Annotated[
    str, Path(pattern=r"^pm_[A-Za-z0-9_]{1,100}$", description="a Stripe payment method id")
]
PromotionCodePath = Annotated[
    str, Path(pattern=r"^[A-Za-z0-9_-]{3,40}$", description="a promotion code (any case)")
]
