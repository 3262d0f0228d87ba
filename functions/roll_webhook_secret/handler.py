"""POST /v1/webhook-endpoints/{endpointId}/roll-secret — a new signing secret."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import EndpointIdPath

from billfold.endpoints.models import EndpointWithSecret, SecretRoll
from billfold.endpoints.service import roll_secret

api = Api("roll_webhook_secret")


@api.route
def roll(endpointId: EndpointIdPath, body: SecretRoll) -> EndpointWithSecret:
    """The endpoint with its new secret (the old one signs beside it for 24 hours)."""
    return roll_secret(deps.table(), endpointId, body, deps.clock())


handler = api.handler
