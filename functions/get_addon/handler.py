"""GET /v1/addons/{addonId} — get an add-on's current version, or `?version=N`."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CatalogIdPath, Version

from billfold.catalog.addons import get_addon
from billfold.catalog.models import Addon

api = Api("get_addon")


@api.route
def get(addonId: CatalogIdPath, version: Version = None) -> Addon:
    """The add-on version."""
    return get_addon(deps.table(), addonId, version)


handler = api.handler
