"""POST /v1/plans/{planId}/archive — stop selling a plan."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CatalogIdPath

from billfold.catalog.models import Plan
from billfold.catalog.plans import archive_plan

api = Api("archive_plan")


@api.route
def archive(planId: CatalogIdPath) -> Plan:
    """The archived plan; subscriptions keep the version they were sold."""
    return archive_plan(deps.table(), planId)


handler = api.handler
