"""GET /v1/customers/{customerId}/events — the customer's recent billing events."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.pages import Page
from billfold_lambda.params import Cursor, CustomerIdPath, Limit

from billfold.events.log import customer_events
from billfold.events.models import Event

api = Api("list_customer_events")


@api.route
def list_all(customerId: CustomerIdPath, limit: Limit = 20, cursor: Cursor = None) -> Page[Event]:
    """One page of the customer's events of the last 30 days, newest first."""
    items, next_cursor = customer_events(deps.table(), customerId, limit=limit, cursor=cursor)
    return Page(items=items, next_cursor=next_cursor)


handler = api.handler
