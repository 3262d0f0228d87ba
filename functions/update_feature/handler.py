"""PATCH /v1/features/{featureId} — change a feature's name, description, unit or metadata."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CatalogIdPath

from billfold.catalog.features import update_feature
from billfold.catalog.models import Feature, FeatureUpdate

api = Api("update_feature")


@api.route
def update(featureId: CatalogIdPath, body: FeatureUpdate) -> Feature:
    """The feature after the change."""
    return update_feature(deps.table(), featureId, body, deps.clock())


handler = api.handler
