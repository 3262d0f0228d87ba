"""Webhook endpoints as the API shows them, and the requests that make and change them."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StrictInt, StringConstraints, WithJsonSchema

from billfold.identifiers import CatalogId
from billfold.models import ApiModel, RequestModel
from billfold.outbox import EventType

EndpointUrl = Annotated[
    str,
    StringConstraints(min_length=8, max_length=2048),
    Field(description="https only (plain http only to loopback on the local stack)"),
]
Description = Annotated[str, StringConstraints(max_length=500)]


EVERY_TYPE = "*"
_NAMES = frozenset(event_type.value for event_type in EventType) | {EVERY_TYPE}


def _known(name: str) -> str:
    if name not in _NAMES:
        raise ValueError(f"'{name}' is not an event type (docs/events.md lists them)")
    return name


EventTypeName = Annotated[
    str,
    AfterValidator(_known),
    WithJsonSchema({"type": "string", "enum": sorted(_NAMES)}),
]


def _once_each(types: list[str]) -> list[str]:
    if len(set(types)) != len(types):
        raise ValueError("an event type is listed twice")
    if "*" in types and len(types) > 1:
        raise ValueError('"*" (every event) stands alone')
    return types


EventTypes = Annotated[
    list[EventTypeName],
    Field(min_length=1, max_length=len(EventType)),
    AfterValidator(_once_each),
    Field(description='the event types sent to the endpoint, or ["*"] for every one'),
]
EndpointStatus = Literal["enabled", "disabled"]


class EndpointCreate(RequestModel):
    """A new endpoint under your own id (the same request again returns it, secret and all)."""

    id: CatalogId
    url: EndpointUrl
    event_types: EventTypes
    description: Description = ""


class EndpointUpdate(RequestModel):
    """Changes to an endpoint; `status: disabled` stops deliveries, `enabled` restarts them."""

    url: EndpointUrl | None = None
    event_types: EventTypes | None = None
    description: Description | None = None
    status: EndpointStatus | None = None


class SecretRoll(RequestModel):
    """Roll the signing secret from version `fromVersion` (the one you hold): the old secret
    keeps signing beside the new one for 24 hours. Repeating the request returns the secret
    it made."""

    from_version: Annotated[StrictInt, Field(ge=1)]


class Endpoint(ApiModel):
    """A webhook endpoint. `failingSince`: when deliveries started failing (null: the last one
    succeeded); after 5 days of failures the endpoint is disabled (`disabledReason: failing`)."""

    id: str
    url: str
    event_types: list[str]
    description: str
    status: EndpointStatus
    disabled_reason: Literal["requested", "failing"] | None = None
    failing_since: datetime | None = None
    secret_version: int
    created_at: datetime
    updated_at: datetime


class EndpointWithSecret(Endpoint):
    """An endpoint with its signing secret: only in the answers that make one."""

    secret: str
