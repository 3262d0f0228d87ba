"""GET /v1/plans — list plans (current versions)."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.pages import Page
from billfold_lambda.params import Cursor, IncludeArchived, Limit

from billfold.catalog.models import Plan
from billfold.catalog.plans import list_plans

api = Api("list_plans")


@api.route
def list_all(
    limit: Limit = 20, cursor: Cursor = None, include_archived: IncludeArchived = False
) -> Page[Plan]:
    """One page of plans, by id; archived plans only when asked for."""
    items, next_cursor = list_plans(
        deps.table(), limit=limit, cursor=cursor, include_archived=include_archived
    )
    return Page(items=items, next_cursor=next_cursor)


handler = api.handler
