"""POST /v1/publishable-keys — a key for the pricing table and paywall (server key only)."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api

from billfold.auth.api_keys import PublishableKey, PublishableKeyCreate, create_publishable_key

api = Api("create_publishable_key")


@api.route
def create(body: PublishableKeyCreate) -> PublishableKey:
    """The new key, answered this once (billfold keeps only its hash). It reads the public
    pricing and nothing else, so it may sit in a web page."""
    return create_publishable_key(deps.table(), body.name, deps.clock())


handler = api.handler
