"""POST /v1/features — create a feature."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api

from billfold.catalog.features import create_feature
from billfold.catalog.models import Feature, FeatureCreate

api = Api("create_feature")


@api.route
def create(body: FeatureCreate) -> Feature:
    """Create the feature (the same request again returns it)."""
    return create_feature(deps.table(), body, deps.clock())


handler = api.handler
