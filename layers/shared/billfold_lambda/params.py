"""Query parameters that many routes share, with their validation."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

Limit = Annotated[int, Query(ge=1, le=100, description="page size (1-100)")]
Cursor = Annotated[
    str | None, Query(max_length=2048, description="`nextCursor` from the previous page")
]
Version = Annotated[int | None, Query(ge=1, description="a published version; default the latest")]
IncludeArchived = Annotated[bool, Query(alias="includeArchived", description="list archived too")]
