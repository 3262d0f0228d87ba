"""POST /v1/addons — create an add-on and publish it as version 1."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api

from billfold.catalog.addons import create_addon
from billfold.catalog.models import Addon, AddonCreate

api = Api("create_addon")


@api.route
def create(body: AddonCreate) -> Addon:
    """Create the add-on (the same request again returns it)."""
    return create_addon(deps.table(), body, deps.clock())


handler = api.handler
