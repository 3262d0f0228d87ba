"""The email sender (SQS, fed by the event bus): send the customer the email each event calls
for, once."""

from typing import Any

from billfold_lambda import dependencies as deps
from billfold_lambda.observability import logger
from billfold_lambda.queues import sqs_worker

from billfold.emails.sending import LinkMaker, send_event_email


def send(envelope: dict[str, Any]) -> None:
    """Send the email of one EventBridge event (its `detail` is the billfold event)."""
    event = envelope["detail"]
    now = deps.clock().now()
    links = LinkMaker(deps.settings().api_url, deps.portal_signing_secret(), now)
    email = send_event_email(deps.table(), deps.mailer(), deps.branding(), event, links, now)
    if email is not None:
        logger.info("email sent", extra={"event_id": event["id"], "kind": email.kind})


handler = sqs_worker(send)
