"""GET /v1/features — list features."""

from billfold.catalog.features import list_features
from billfold.catalog.models import Feature
from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.pages import Page
from billfold_lambda.params import Cursor, Limit

api = Api("list_features")


@api.route
def list_all(limit: Limit = 20, cursor: Cursor = None) -> Page[Feature]:
    """One page of features, by id."""
    items, next_cursor = list_features(deps.table(), limit=limit, cursor=cursor)
    return Page(items=items, next_cursor=next_cursor)


handler = api.handler
