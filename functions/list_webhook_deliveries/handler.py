"""GET /v1/webhook-endpoints/{endpointId}/deliveries — the endpoint's delivery log."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.pages import Page
from billfold_lambda.params import Cursor, EndpointIdPath, Limit

from billfold.endpoints.deliveries import Delivery, list_deliveries

api = Api("list_webhook_deliveries")


@api.route
def list_all(
    endpointId: EndpointIdPath, limit: Limit = 20, cursor: Cursor = None
) -> Page[Delivery]:
    """One page of deliveries, newest first, each with its attempts."""
    items, next_cursor = list_deliveries(deps.table(), endpointId, limit=limit, cursor=cursor)
    return Page(items=items, next_cursor=next_cursor)


handler = api.handler
