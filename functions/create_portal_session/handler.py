"""POST /v1/portal-sessions — a portal token and URL for one customer (server key only)."""

from datetime import timedelta

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api

from billfold.auth.portal_sessions import PortalSession, PortalSessionCreate, create_portal_session

api = Api("create_portal_session")


@api.route
def create(body: PortalSessionCreate) -> PortalSession:
    """A token that lets the customer's browser use the portal routes for that customer only."""
    settings = deps.settings()
    return create_portal_session(
        deps.table(),
        deps.portal_signing_secret(),
        body,
        now=deps.clock().now(),
        lifetime=timedelta(minutes=settings.portal_session_minutes),
        page=settings.portal_url,
    )


handler = api.handler
