"""POST /v1/plans — create a plan and publish it as version 1."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api

from billfold.catalog.models import Plan, PlanCreate
from billfold.catalog.plans import create_plan

api = Api("create_plan")


@api.route
def create(body: PlanCreate) -> Plan:
    """Create the plan (the same request again returns it)."""
    return create_plan(deps.table(), body, deps.clock())


handler = api.handler
