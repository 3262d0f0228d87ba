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
Locale = Annotated[
    str,
    StringConstraints(max_length=35, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"),
    Field(
        description="a BCP 47 language tag: emails' dates and amounts follow it", examples=["de-DE"]
    ),
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
    locale: Locale | None = None


class CustomerUpdate(RequestModel):
    """Changes to a customer; email and name are mirrored to Stripe."""

    email: Email | None = None
    name: CustomerName | None = None
    metadata: Metadata | None = None
    locale: Locale | None = None


class Customer(ApiModel):
    """A customer of the user's product."""

    id: str
    email: str
    name: str
    metadata: dict[str, str]
    locale: str | None = None
    """Emails' dates and amounts follow it (null: the deployment's default)."""
    stripe_customer_id: str
    created_at: datetime
    updated_at: datetime
