"""Identifiers chosen by the user: safe in URLs, in DynamoDB keys and in IAM resource patterns."""

from typing import Annotated

from pydantic import Field, StringConstraints

CATALOG_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
CUSTOMER_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
CHECKOUT_SESSION_ID_PATTERN = r"^cs_[a-f0-9]{32}$"

CatalogId = Annotated[
    str,
    StringConstraints(pattern=CATALOG_ID_PATTERN),
    Field(
        description="lowercase letters, digits, '-' and '_'; up to 64 characters", examples=["pro"]
    ),
]
"""A feature, plan or add-on id, e.g. `api-calls`, `pro`."""

CustomerId = Annotated[
    str,
    StringConstraints(pattern=CUSTOMER_ID_PATTERN),
    Field(
        description="your own id for the customer: letters, digits, '.', '_' and '-'; up to 128",
        examples=["acme-42"],
    ),
]
"""The user's own id for its customer."""

IdempotencyKey = Annotated[
    str,
    StringConstraints(min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$"),
    Field(description="yours: a request with a key seen before does nothing again (7 days)"),
]
"""The caller's key for one request, so that retrying it is safe."""

Metadata = Annotated[
    dict[
        Annotated[str, StringConstraints(min_length=1, max_length=40)],
        Annotated[str, StringConstraints(max_length=500)],
    ],
    Field(max_length=50, description="up to 50 string key/value pairs for your own use"),
]
"""Free-form string pairs kept with a resource."""
