"""Usage reports as the API receives them."""

from typing import Annotated, Literal

from pydantic import Field, StrictInt, StringConstraints

from billfold.identifiers import CatalogId, CustomerId
from billfold.models import RequestModel

IdempotencyKey = Annotated[
    str,
    StringConstraints(min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$"),
    Field(description="yours: a report with a key seen before counts nothing again (7 days)"),
]
UsageAmount = Annotated[StrictInt, Field(ge=0, le=10**12)]


class UsageReport(RequestModel):
    """Add `value` to a metered feature's usage (`delta`), or make it the usage (`set`)."""

    customer_id: CustomerId
    feature_id: CatalogId
    value: UsageAmount
    mode: Literal["delta", "set"] = "delta"
    idempotency_key: IdempotencyKey


class ConsumeRequest(RequestModel):
    """Use `amount` more of a feature, only if the limit allows it."""

    amount: UsageAmount = 1
    idempotency_key: IdempotencyKey
