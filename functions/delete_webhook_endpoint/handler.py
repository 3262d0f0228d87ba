"""DELETE /v1/webhook-endpoints/{endpointId} — delete an endpoint."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import EndpointIdPath

from billfold.endpoints.models import Endpoint
from billfold.endpoints.service import delete_endpoint

api = Api("delete_webhook_endpoint")


@api.route
def delete(endpointId: EndpointIdPath) -> Endpoint:
    """The endpoint as it was before it was deleted."""
    return delete_endpoint(deps.table(), endpointId)


handler = api.handler
