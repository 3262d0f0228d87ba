"""Usage reports as the API receives them."""

from typing import Annotated, Literal

from pydantic import Field, StrictInt

from billfold.identifiers import CatalogId, CustomerId, IdempotencyKey
from billfold.models import RequestModel

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
