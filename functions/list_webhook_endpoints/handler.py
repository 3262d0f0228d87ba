"""GET /v1/webhook-endpoints — list webhook endpoints."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.pages import Page
from billfold_lambda.params import Cursor, Limit

from billfold.endpoints.models import Endpoint
from billfold.endpoints.service import list_endpoints

api = Api("list_webhook_endpoints")


@api.route
def list_all(limit: Limit = 20, cursor: Cursor = None) -> Page[Endpoint]:
    """One page of endpoints, by id (no secrets)."""
    items, next_cursor = list_endpoints(deps.table(), limit=limit, cursor=cursor)
    return Page(items=items, next_cursor=next_cursor)


handler = api.handler
