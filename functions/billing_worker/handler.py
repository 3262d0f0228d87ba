"""The billing worker (SQS): settle each queued customer — transitions, invoices, charges."""

from typing import Any

from billfold_lambda import dependencies as deps
from billfold_lambda.observability import logger
from billfold_lambda.queues import sqs_worker

from billfold.settlement.customer import settle_customer


def settle(message: dict[str, Any]) -> None:
    """Settle the customer named by the message, as of now."""
    customer_id = str(message["customerId"])
    done = settle_customer(deps.table(), customer_id, deps.clock().now(), deps.billing_services())
    logger.info(
        "customer settled",
        extra={
            "customer_id": customer_id,
            "transitions": done.transitions,
            "invoices": len(done.invoices),
            "charged": len(done.charged),
        },
    )


handler = sqs_worker(settle)
