"""POST /v1/features/{featureId}/archive — stop granting a feature in new plan versions."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CatalogIdPath

from billfold.catalog.features import archive_feature
from billfold.catalog.models import Feature

api = Api("archive_feature")


@api.route
def archive(featureId: CatalogIdPath) -> Feature:
    """The archived feature; published plan versions keep granting it."""
    return archive_feature(deps.table(), featureId, deps.clock())


handler = api.handler
