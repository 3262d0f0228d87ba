"""POST /v1/portal-sessions — a portal token and URL for one customer (server key only)."""

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api

from billfold.auth.portal_sessions import PortalSession, PortalSessionCreate

api = Api("create_portal_session")


@api.route
def create(body: PortalSessionCreate) -> PortalSession:
    """A token that lets the customer's browser use the portal routes for that customer only."""
    return deps.portal_session(body.customer_id)


handler = api.handler
