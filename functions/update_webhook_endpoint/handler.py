"""PATCH /v1/webhook-endpoints/{endpointId} — change, disable or enable an endpoint."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import EndpointIdPath

from billfold.endpoints.models import Endpoint, EndpointUpdate
from billfold.endpoints.service import update_endpoint

api = Api("update_webhook_endpoint")


@api.route
def update(endpointId: EndpointIdPath, body: EndpointUpdate) -> Endpoint:
    """The endpoint after the change."""
    allow_loopback = deps.settings().webhooks_allow_loopback
    return update_endpoint(deps.table(), endpointId, body, deps.clock(), allow_loopback)


handler = api.handler
