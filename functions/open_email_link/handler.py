"""GET /v1/links/{linkToken} — an email's link: a fresh portal session, then the portal."""

from datetime import timedelta

from aws_lambda_powertools.event_handler import Response

from billfold_lambda import dependencies as deps
from billfold_lambda.api import Api
from billfold_lambda.params import LinkTokenPath

from billfold.emails.links import open_link

api = Api("open_email_link")


@api.route
def follow(linkToken: LinkTokenPath) -> Response[str]:
    """302 to the customer's portal, at the section the email is about."""
    settings = deps.settings()
    location = open_link(
        deps.table(),
        deps.portal_signing_secret(),
        linkToken,
        now=deps.clock().now(),
        lifetime=timedelta(minutes=settings.portal_session_minutes),
        page=settings.portal_url,
    )
    return Response(
        status_code=302,
        headers={
            "Location": location,
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
        },
        body="",
    )


handler = api.handler
