"""POST /v1/addons/{addonId}/archive — stop selling an add-on."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CatalogIdPath

from billfold.catalog.addons import archive_addon
from billfold.catalog.models import Addon

api = Api("archive_addon")


@api.route
def archive(addonId: CatalogIdPath) -> Addon:
    """The archived add-on; subscriptions that hold it keep their version."""
    return archive_addon(deps.table(), addonId)


handler = api.handler
