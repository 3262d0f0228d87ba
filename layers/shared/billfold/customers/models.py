"""Customer documents and the requests that create and change them."""

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from billfold.identifiers import CustomerId, Metadata
from billfold.models import ApiModel, RequestModel

Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    Field(examples=["billing@acme.test"]),
]
CustomerName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]


class CustomerCreate(RequestModel):
    """A new customer, under the id the user's own system knows it by."""

    id: CustomerId
    email: Email
    name: CustomerName
    metadata: Metadata = Field(default_factory=dict)


class CustomerUpdate(RequestModel):
    """Changes to a customer; email and name are mirrored to Stripe."""

    email: Email | None = None
    name: CustomerName | None = None
    metadata: Metadata | None = None


class Customer(ApiModel):
    """A customer of the user's product."""

    id: str
    email: str
    name: str
    metadata: dict[str, str]
    stripe_customer_id: str
    created_at: datetime
    updated_at: datetime
