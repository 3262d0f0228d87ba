"""The webhook worker (SQS): process each verified Stripe event against current state."""

from typing import Any

from billfold_lambda import dependencies as deps
from billfold_lambda.observability import logger
from billfold_lambda.queues import sqs_worker

from billfold.webhooks.dispatch import WebhookContext, process_event


def process(event: dict[str, Any]) -> None:
    """Handle one Stripe event (types billfold does not handle are logged and dropped)."""
    context = WebhookContext(
        table=deps.table(),
        stripe=deps.stripe_api(),
        now=deps.clock().now(),
        dunning=deps.settings().dunning_days,
    )
    handled = process_event(context, event)
    logger.info("stripe event", extra={"type": event.get("type"), "handled": handled})


handler = sqs_worker(process)
