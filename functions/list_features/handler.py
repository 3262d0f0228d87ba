"""GET /v1/features — list features."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.pages import Page
from billfold_lambda.params import Cursor, IncludeArchived, Limit

from billfold.catalog.features import list_features
from billfold.catalog.models import Feature

api = Api("list_features")


@api.route
def list_all(
    limit: Limit = 20, cursor: Cursor = None, include_archived: IncludeArchived = False
) -> Page[Feature]:
    """One page of features, by id; archived ones only when asked for."""
    items, next_cursor = list_features(
        deps.table(), limit=limit, cursor=cursor, include_archived=include_archived
    )
    return Page(items=items, next_cursor=next_cursor)


handler = api.handler
