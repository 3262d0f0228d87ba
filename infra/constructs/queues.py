"""The work queues, each with a dead-letter queue for what keeps failing."""

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra import constants
from infra.constructs import nag


def _dead_letters(scope: Construct, name: str) -> sqs.Queue:
    return sqs.Queue(
        scope,
        f"{name}DeadLetters",
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=Duration.days(14),
    )


def _queue_with_dead_letters(
    scope: Construct, name: str, timeout: Duration = constants.WORKER_TIMEOUT
) -> tuple[sqs.Queue, sqs.Queue]:
    dead_letters = _dead_letters(scope, name)
    queue = sqs.Queue(
        scope,
        name,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        visibility_timeout=Duration.seconds(timeout.to_seconds() * 6),
        dead_letter_queue=sqs.DeadLetterQueue(
            queue=dead_letters, max_receive_count=constants.MAX_RECEIVES
        ),
    )
    return queue, dead_letters


class Queues(Construct):
    """`billing`: one message per customer to settle. `webhooks`: verified Stripe events.
    `fan_out`: billing events from the bus, for the webhook fan-out. `deliveries`: webhook
    deliveries to attempt. `emails`: billing events that may email the customer.
    `relay_failures`: the stream records the relay gave up on."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.billing, billing_dead = _queue_with_dead_letters(self, "Billing")
        self.webhooks, webhooks_dead = _queue_with_dead_letters(self, "Webhooks")
        self.fan_out, fan_out_dead = _queue_with_dead_letters(self, "WebhookFanOut")
        self.deliveries, deliveries_dead = _queue_with_dead_letters(
            self, "WebhookDeliveries", constants.DELIVERY_TIMEOUT
        )
        self.emails, emails_dead = _queue_with_dead_letters(self, "Emails")
        self.relay_failures = _dead_letters(self, "Relay")
        nag.acknowledge(self.relay_failures, nag.RELAY_FAILURES_ARE_DEAD_LETTERS)
        self.dead_letter_queues: dict[str, sqs.Queue] = {
            "Billing": billing_dead,
            "Webhooks": webhooks_dead,
            "WebhookFanOut": fan_out_dead,
            "WebhookDeliveries": deliveries_dead,
            "Emails": emails_dead,
            "Relay": self.relay_failures,
        }
        """Every dead-letter queue, by name: each has an alarm (`Monitoring`)."""
