"""POST /v1/webhook-endpoints — register an endpoint for billing events."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api

from billfold.endpoints.models import EndpointCreate, EndpointWithSecret
from billfold.endpoints.service import create_endpoint

api = Api("create_webhook_endpoint")


@api.route
def create(body: EndpointCreate) -> EndpointWithSecret:
    """The endpoint and its signing secret (the same request again answers the same)."""
    allow_loopback = deps.settings().webhooks_allow_loopback
    return create_endpoint(deps.table(), body, deps.clock(), allow_loopback)


handler = api.handler
