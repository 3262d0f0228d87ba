"""GET /v1/features/{featureId} — get a feature."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CatalogIdPath

from billfold.catalog.features import get_feature
from billfold.catalog.models import Feature

api = Api("get_feature")


@api.route
def get(featureId: CatalogIdPath) -> Feature:
    """The feature."""
    return get_feature(deps.table(), featureId)


handler = api.handler
