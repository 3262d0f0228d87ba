"""Base classes for every pydantic model that crosses the API: camelCase on the wire."""

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    """A response or stored document: snake_case in Python, camelCase in JSON."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True, defer_build=True
    )


class RequestModel(ApiModel):
    """A request body: unknown fields are an error, so typos never pass silently."""

    model_config = ConfigDict(extra="forbid")


class ValueModel(ApiModel):
    """A value nested in requests and documents (a price, an entitlement): unknown fields are
    an error here too, so a typo inside it cannot silently change billing terms."""

    model_config = ConfigDict(extra="forbid")
