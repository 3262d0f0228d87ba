"""GET /v1/webhook-endpoints/{endpointId} — one webhook endpoint."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import EndpointIdPath

from billfold.endpoints.models import Endpoint
from billfold.endpoints.service import get_endpoint

api = Api("get_webhook_endpoint")


@api.route
def get(endpointId: EndpointIdPath) -> Endpoint:
    """The endpoint (no secret)."""
    return get_endpoint(deps.table(), endpointId)


handler = api.handler
