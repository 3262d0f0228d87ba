"""Portal sessions: the user's backend asks for one, its customer's browser holds the token."""

from datetime import datetime, timedelta

from billfold.auth.portal_tokens import mint_portal_token
from billfold.customers.service import get_customer
from billfold.identifiers import CustomerId
from billfold.models import ApiModel, RequestModel
from billfold.storage.table import Table


class PortalSessionCreate(RequestModel):
    """Whose portal to open."""

    customer_id: CustomerId


class PortalSession(ApiModel):
    """A portal token bound to one customer, and the portal URL that carries it."""

    customer_id: str
    token: str
    url: str
    """The portal page with the token in the fragment: a browser never sends a fragment to a
    server, so the token stays out of every access log on the way."""
    expires_at: datetime


def portal_url(page: str, token: str) -> str:
    """`page` with the token in its fragment."""
    return f"{page.split('#', 1)[0]}#token={token}"


def create_portal_session(
    table: Table,
    secret: bytes,
    request: PortalSessionCreate,
    *,
    now: datetime,
    lifetime: timedelta,
    page: str,
) -> PortalSession:
    """A fresh token for an existing customer (NotFound otherwise). Nothing is stored, so a
    retried request is harmless: it mints another token that expires just as soon."""
    customer = get_customer(table, request.customer_id)
    expires_at = (now + lifetime).replace(microsecond=0)  # the token counts whole seconds
    token = mint_portal_token(secret, customer.id, expires_at)
    return PortalSession(
        customer_id=customer.id,
        token=token,
        url=portal_url(page, token),
        expires_at=expires_at,
    )
