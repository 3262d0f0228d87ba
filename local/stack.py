"""The local stack's AWS side: the same table, bucket and secrets the CDK stack creates, in moto.

`running_stack()` starts moto and localstripe on free loopback ports, provisions them, and
points this process's environment at them, so handlers called in-process behave as in Lambda.
"""

import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from billfold import config
from billfold.events import routing
from billfold.storage.schema import TTL_ATTRIBUTE, create_table_request
from local.servers import Server, free_port, start_localstripe, start_moto

TABLE_NAME = "billfold-local"
BUCKET_NAME = "billfold-local-invoices"
STRIPE_SECRET_NAME = "billfold/local/stripe"
STRIPE_WEBHOOK_SECRET_NAME = "billfold/local/stripe-webhook"
PORTAL_SECRET_NAME = "billfold/local/portal-signing"
STRIPE_SECRET_KEY = "sk_test_billfold_local"
STRIPE_PUBLISHABLE_KEY = "pk_test_billfold_local"
REGION = "us-east-1"
BILLING_QUEUE = "billfold-local-billing"
WEBHOOK_QUEUE = "billfold-local-stripe-events"
EVENT_BUS = "billfold-local"
FAN_OUT_QUEUE = "billfold-local-webhook-events"
DELIVERY_QUEUE = "billfold-local-webhook-deliveries"
EMAIL_QUEUE = "billfold-local-emails"
TAP_QUEUE = "billfold-local-event-tap"
"""Every event on the bus, for the local events page (a seller's app subscribes the same way)."""
MAX_RECEIVES = 3
"""Deliveries of a message before it goes to its queue's dead-letter queue (as in the stack)."""
VISIBILITY_SECONDS = "5"
SELLER = {
    config.ENV_SELLER_NAME: "Billfold Demo Inc.",
    config.ENV_SELLER_EMAIL: "billing@billfold.example",
    config.ENV_SELLER_ADDRESS: "1 Demo Street|San Francisco, CA 94105|United States",
}


@dataclass(frozen=True)
class Queue:
    """An SQS queue in moto."""

    url: str
    arn: str


@dataclass(frozen=True)
class Queues:
    """The local stack's queues, as the CDK stack makes them."""

    billing: Queue
    stripe_events: Queue
    fan_out: Queue
    deliveries: Queue
    emails: Queue
    tap: Queue


@dataclass(frozen=True)
class LocalStack:
    """Where the local stack's servers listen, its queues and its table's stream."""

    moto_url: str
    stripe_url: str
    queues: Queues
    stream_arn: str


def webhook_signing_secret() -> str:
    """What localstripe signs its webhooks with: BILLFOLD_STRIPE_WEBHOOK_SECRET, or a default."""
    return os.environ.get("BILLFOLD_STRIPE_WEBHOOK_SECRET", "whsec_billfold_local")


def aws_environment(moto_url: str) -> dict[str, str]:
    """Environment that sends every AWS SDK call to moto, with dummy credentials."""
    return {
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }


def function_environment(stripe_url: str) -> dict[str, str]:
    """What the CDK stack sets on every function, pointed at the local resources.

    (Powertools' own settings are set when `local` is imported: see local/__init__.py.)
    """
    return {
        config.ENV_TABLE_NAME: TABLE_NAME,
        config.ENV_STAGE: "local",
        config.ENV_STRIPE_SECRET_ID: STRIPE_SECRET_NAME,
        config.ENV_STRIPE_API_BASE: stripe_url,
        config.ENV_STRIPE_WEBHOOK_SECRET_ID: STRIPE_WEBHOOK_SECRET_NAME,
        config.ENV_PORTAL_SECRET_ID: PORTAL_SECRET_NAME,
        config.ENV_PORTAL_SESSION_MINUTES: "720",  # a working day of `make dev`
        config.ENV_INVOICE_BUCKET: BUCKET_NAME,
        config.ENV_EVENT_BUS_NAME: EVENT_BUS,
        config.ENV_WEBHOOKS_ALLOW_LOOPBACK: "true",
        config.ENV_CUSTOMER_SPEND_LIMITS: "true",  # the demo portal shows the control
        **SELLER,
    }


def _queue_with_dead_letters(name: str) -> Queue:
    """A queue whose messages go to `<name>-dlq` after MAX_RECEIVES deliveries."""
    sqs = boto3.client("sqs")
    dead = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])
    redrive = {
        "deadLetterTargetArn": dead_arn["Attributes"]["QueueArn"],
        "maxReceiveCount": MAX_RECEIVES,
    }
    url = sqs.create_queue(
        QueueName=name,
        Attributes={
            "VisibilityTimeout": VISIBILITY_SECONDS,
            "RedrivePolicy": json.dumps(redrive),
        },
    )["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return Queue(url=url, arn=arn["Attributes"]["QueueArn"])


def _bus_rule(name: str, pattern: dict[str, Any], queue: Queue) -> None:
    """A rule on the event bus that sends what matches `pattern` to `queue`."""
    events = boto3.client("events")
    events.put_rule(Name=name, EventBusName=EVENT_BUS, EventPattern=json.dumps(pattern))
    events.put_targets(
        Rule=name, EventBusName=EVENT_BUS, Targets=[{"Id": "queue", "Arn": queue.arn}]
    )


def provision() -> tuple[Queues, str]:
    """Create the table (with its stream), the invoice bucket, the secrets, the event bus with
    its rules, and the queues, as `cdk deploy` would; the queues and the stream's ARN."""
    dynamodb = boto3.client("dynamodb")
    table = dynamodb.create_table(**create_table_request(TABLE_NAME))
    dynamodb.update_time_to_live(
        TableName=TABLE_NAME,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    )
    boto3.client("s3").create_bucket(Bucket=BUCKET_NAME)
    secrets_manager = boto3.client("secretsmanager")
    secrets_manager.create_secret(
        Name=STRIPE_SECRET_NAME,
        SecretString=json.dumps(
            {"secretKey": STRIPE_SECRET_KEY, "publishableKey": STRIPE_PUBLISHABLE_KEY}
        ),
    )
    secrets_manager.create_secret(
        Name=STRIPE_WEBHOOK_SECRET_NAME,
        SecretString=webhook_signing_secret(),
    )
    secrets_manager.create_secret(Name=PORTAL_SECRET_NAME, SecretString=secrets.token_urlsafe(48))
    queues = Queues(
        billing=_queue_with_dead_letters(BILLING_QUEUE),
        stripe_events=_queue_with_dead_letters(WEBHOOK_QUEUE),
        fan_out=_queue_with_dead_letters(FAN_OUT_QUEUE),
        deliveries=_queue_with_dead_letters(DELIVERY_QUEUE),
        emails=_queue_with_dead_letters(EMAIL_QUEUE),
        tap=_queue_with_dead_letters(TAP_QUEUE),
    )
    boto3.client("ses").verify_email_identity(EmailAddress=SELLER[config.ENV_SELLER_EMAIL])
    boto3.client("events").create_event_bus(Name=EVENT_BUS)
    _bus_rule("webhooks", routing.EVERY_EVENT, queues.fan_out)
    _bus_rule("emails", routing.EMAILED_EVENTS, queues.emails)
    _bus_rule("local-tap", routing.EVERY_EVENT, queues.tap)
    return queues, table["TableDescription"]["LatestStreamArn"]


@contextmanager
def running_stack(log_dir: Path) -> Iterator[LocalStack]:
    """moto and localstripe running and provisioned, with this process's env pointed at them."""
    servers: list[Server] = []
    try:
        servers.append(start_moto(free_port(), log_dir / "moto.log"))
        servers.append(start_localstripe(free_port(), log_dir / "localstripe.log"))
        moto, stripe = servers
        os.environ.update(aws_environment(moto.url))
        os.environ.update(function_environment(stripe.url))
        queues, stream_arn = provision()
        os.environ[config.ENV_BILLING_QUEUE_URL] = queues.billing.url
        os.environ[config.ENV_WEBHOOK_QUEUE_URL] = queues.stripe_events.url
        os.environ[config.ENV_DELIVERY_QUEUE_URL] = queues.deliveries.url
        yield LocalStack(moto.url, stripe.url, queues, stream_arn)
    finally:
        for server in reversed(servers):
            server.stop()
