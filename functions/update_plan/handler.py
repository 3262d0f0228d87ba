"""PATCH /v1/plans/{planId} — change a plan, publishing its next version."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import CatalogIdPath

from billfold.catalog.models import Plan, PlanUpdate
from billfold.catalog.plans import update_plan

api = Api("update_plan")


@api.route
def update(planId: CatalogIdPath, body: PlanUpdate) -> Plan:
    """The plan's new current version (unchanged if the patch changes nothing)."""
    return update_plan(deps.table(), planId, body, deps.clock())


handler = api.handler
