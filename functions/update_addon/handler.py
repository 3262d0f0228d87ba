"""PATCH /v1/addons/{addonId} — change an add-on, publishing its next version."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CatalogIdPath

from billfold.catalog.addons import update_addon
from billfold.catalog.models import Addon, AddonUpdate

api = Api("update_addon")


@api.route
def update(addonId: CatalogIdPath, body: AddonUpdate) -> Addon:
    """The add-on's new current version (unchanged if the patch changes nothing)."""
    return update_addon(deps.table(), addonId, body, deps.clock())


handler = api.handler
