"""POST /v1/customers/{customerId}/usage/{featureId}/consume — atomic check-and-increment."""

from billfold_lambda import dependencies as deps
from billfold_lambda.lean import LeanApi
from billfold_lambda.params import CatalogIdPath, CustomerIdPath

from billfold.usage.models import UsageResult
from billfold.usage.requests import ConsumeRequest
from billfold.usage.service import consume_usage

api = LeanApi("consume_usage")


@api.route
def consume(
    customerId: CustomerIdPath, featureId: CatalogIdPath, body: ConsumeRequest
) -> UsageResult:
    """The usage after consuming; 422 `limit_exceeded` (nothing counted) past a hard limit."""
    return consume_usage(deps.table(), customerId, featureId, body, deps.clock())


handler = api.handler
