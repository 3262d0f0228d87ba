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

import boto3

from billfold import config
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


@dataclass(frozen=True)
class LocalStack:
    """Where the local stack's servers listen."""

    moto_url: str
    stripe_url: str


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
        config.ENV_INVOICE_BUCKET: BUCKET_NAME,
    }


def provision() -> None:
    """Create the table, the invoice bucket and the secrets, as `cdk deploy` would."""
    dynamodb = boto3.client("dynamodb")
    dynamodb.create_table(**create_table_request(TABLE_NAME))
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
        SecretString=os.environ.get("BILLFOLD_STRIPE_WEBHOOK_SECRET", "whsec_billfold_local"),
    )
    secrets_manager.create_secret(Name=PORTAL_SECRET_NAME, SecretString=secrets.token_urlsafe(48))


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
        provision()
        yield LocalStack(moto_url=moto.url, stripe_url=stripe.url)
    finally:
        for server in reversed(servers):
            server.stop()
