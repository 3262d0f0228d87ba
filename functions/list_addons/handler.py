"""GET /v1/addons — list add-ons (current versions)."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.pages import Page
from billfold_lambda.params import Cursor, IncludeArchived, Limit

from billfold.catalog.addons import list_addons
from billfold.catalog.models import Addon

api = Api("list_addons")


@api.route
def list_all(
    limit: Limit = 20, cursor: Cursor = None, include_archived: IncludeArchived = False
) -> Page[Addon]:
    """One page of add-ons, by id; archived ones only when asked for."""
    items, next_cursor = list_addons(
        deps.table(), limit=limit, cursor=cursor, include_archived=include_archived
    )
    return Page(items=items, next_cursor=next_cursor)


handler = api.handler
