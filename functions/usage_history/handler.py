"""GET /v1/customers/{customerId}/usage/{featureId}/history — usage per period."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.pages import Page
from billfold_lambda.params import CatalogIdPath, Cursor, CustomerIdPath, Limit

from billfold.usage.models import UsagePeriod
from billfold.usage.service import feature_usage_history

api = Api("usage_history")


@api.route
def history(
    customerId: CustomerIdPath, featureId: CatalogIdPath, limit: Limit = 12, cursor: Cursor = None
) -> Page[UsagePeriod]:
    """The current period first, then closed periods, newest first."""
    items, next_cursor = feature_usage_history(
        deps.table(), customerId, featureId, deps.clock(), limit, cursor
    )
    return Page(items=items, next_cursor=next_cursor)


handler = api.handler
