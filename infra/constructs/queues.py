"""The billing and webhook queues, each with a dead-letter queue for what keeps failing."""

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra import constants


def _queue_with_dead_letters(scope: Construct, name: str) -> tuple[sqs.Queue, sqs.Queue]:
    dead_letters = sqs.Queue(
        scope,
        f"{name}DeadLetters",
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=Duration.days(14),
    )
    queue = sqs.Queue(
        scope,
        name,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        visibility_timeout=Duration.seconds(constants.WORKER_TIMEOUT.to_seconds() * 6),
        dead_letter_queue=sqs.DeadLetterQueue(
            queue=dead_letters, max_receive_count=constants.MAX_RECEIVES
        ),
    )
    return queue, dead_letters


class Queues(Construct):
    """`billing`: one message per customer to settle. `webhooks`: verified Stripe events."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.billing, self.billing_dead_letters = _queue_with_dead_letters(self, "Billing")
        self.webhooks, self.webhook_dead_letters = _queue_with_dead_letters(self, "Webhooks")
