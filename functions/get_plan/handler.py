"""GET /v1/plans/{planId} — get a plan's current version, or `?version=N`."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CatalogIdPath, Version

from billfold.catalog.models import Plan
from billfold.catalog.plans import get_plan

api = Api("get_plan")


@api.route
def get(planId: CatalogIdPath, version: Version = None) -> Plan:
    """The plan version."""
    return get_plan(deps.table(), planId, version)


handler = api.handler
