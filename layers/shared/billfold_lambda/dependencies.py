"""What handlers need from the outside world, built lazily once per Lambda container.

Only what a handler actually asks for is built (and imported): a catalog read never loads
Stripe or reads a secret. The local gateway swaps the clock for its test clock.
"""

import json
import os
from datetime import timedelta
from functools import cache
from typing import TYPE_CHECKING

from billfold.clock import Clock, SystemClock
from billfold.config import ENV_USAGE_PLAN_KEY, Settings
from billfold.storage.table import Table

if TYPE_CHECKING:
    import stripe
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

    from billfold.auth.portal_sessions import PortalSession
    from billfold.emails.branding import Branding
    from billfold.emails.sending import SesMailer
    from billfold.endpoints.deliveries import Queued
    from billfold.endpoints.sending import HttpSender
    from billfold.events.bus import EventBridgeBus
    from billfold.invoicing.documents import InvoiceDocuments
    from billfold.payments.charging import StripeCharges
    from billfold.payments.payment_methods import StripePaymentMethods
    from billfold.payments.stripe_customers import StripeCustomers
    from billfold.settlement.customer import BillingServices

_clock: Clock = SystemClock()


def clock() -> Clock:
    """The process's clock: the system clock in Lambda, the test clock locally."""
    return _clock


def use_clock(replacement: Clock) -> None:
    """Replace the process's clock (the local stack's test clock; tests)."""
    global _clock
    _clock = replacement


def usage_plan_key() -> str | None:
    """The API Gateway API key the authorizer names (`usageIdentifierKey`), so that the usage
    plan counts and throttles the publishable routes; none outside API Gateway."""
    return os.environ.get(ENV_USAGE_PLAN_KEY) or None


@cache
def settings() -> Settings:
    """The deployment's settings, from the environment."""
    return Settings.from_env()


@cache
def table() -> Table:
    """billfold's DynamoDB table."""
    return Table(settings().table_name)


def _secret(secret_id: str | None, what: str) -> str:
    from aws_lambda_powertools.utilities import parameters

    if not secret_id:
        raise RuntimeError(f"{what} is not configured for this function")
    return parameters.get_secret(secret_id, max_age=300)


def stripe_keys() -> dict[str, str]:
    """The Stripe secret: `secretKey` and `publishableKey` (cached for five minutes)."""
    keys: dict[str, str] = json.loads(_secret(settings().stripe_secret_id, "the Stripe secret"))
    return keys


def stripe_api() -> "stripe.StripeClient":
    """A Stripe client with the current secret key (pointed at localstripe locally)."""
    from billfold.payments.stripe_customers import stripe_client

    return stripe_client(stripe_keys()["secretKey"], settings().stripe_api_base)


def stripe_customers() -> "StripeCustomers":
    """Stripe's customer API, with the current secret key."""
    from billfold.payments.stripe_customers import StripeCustomers

    return StripeCustomers(stripe_api())


def stripe_payment_methods() -> "StripePaymentMethods":
    """Stripe's payment-method API, with the current secret key."""
    from billfold.payments.payment_methods import StripePaymentMethods

    return StripePaymentMethods(stripe_api())


def portal_signing_secret() -> bytes:
    """The secret that signs portal tokens (cached for five minutes)."""
    return _secret(settings().portal_secret_id, "the portal signing secret").encode()


def portal_session(customer_id: str) -> "PortalSession":
    """A fresh portal session for an existing customer, with the deployment's lifetime and
    portal page."""
    from billfold.auth.portal_sessions import PortalSessionCreate, create_portal_session

    configured = settings()
    return create_portal_session(
        table(),
        portal_signing_secret(),
        PortalSessionCreate(customer_id=customer_id),
        now=clock().now(),
        lifetime=timedelta(minutes=configured.portal_session_minutes),
        page=configured.portal_url,
    )


def stripe_charges() -> "StripeCharges":
    """Charging invoices through Stripe."""
    from billfold.payments.charging import StripeCharges

    return StripeCharges(stripe_api())


@cache
def s3() -> "S3Client":
    """An S3 client that signs presigned URLs with SigV4."""
    import boto3
    from botocore.config import Config

    return boto3.client("s3", config=Config(signature_version="s3v4"))


@cache
def sqs() -> "SQSClient":
    """An SQS client."""
    import boto3

    return boto3.client("sqs")


def invoice_documents() -> "InvoiceDocuments":
    """The invoice bucket."""
    from billfold.invoicing.documents import InvoiceDocuments

    bucket = settings().invoice_bucket
    if not bucket:
        raise RuntimeError("the invoice bucket is not configured for this function")
    return InvoiceDocuments(s3(), bucket)


def billing_services() -> "BillingServices":
    """Everything the billing worker needs besides the table."""
    from billfold.invoicing.models import Party
    from billfold.payments.charging import StripeCharges
    from billfold.payments.payment_methods import StripePaymentMethods
    from billfold.settlement.customer import BillingServices

    client = stripe_api()
    config = settings()
    return BillingServices(
        payment_methods=StripePaymentMethods(client),
        charges=StripeCharges(client),
        documents=invoice_documents(),
        seller=Party(
            name=config.seller_name, email=config.seller_email, address=list(config.seller_address)
        ),
        dunning=config.dunning_days,
    )


def webhook_secret() -> str:
    """The secret Stripe signs webhooks with (cached for five minutes)."""
    return _secret(settings().stripe_webhook_secret_id, "the Stripe webhook secret")


def settle_soon(customer_id: str) -> None:
    """Ask the billing worker to settle the customer now (no-op where no queue is configured)."""
    queue = settings().billing_queue_url
    if queue:
        from billfold.settlement.schedule import enqueue

        enqueue(sqs(), queue, [customer_id])


def send_webhook_event(event: str) -> None:
    """Queue a verified Stripe event for the webhook worker."""
    queue = settings().webhook_queue_url
    if not queue:
        raise RuntimeError("the webhook queue is not configured for this function")
    sqs().send_message(QueueUrl=queue, MessageBody=event)


def event_bus() -> "EventBridgeBus":
    """The EventBridge bus billfold publishes its events on."""
    import boto3

    from billfold.events.bus import EventBridgeBus

    name = settings().event_bus_name
    if not name:
        raise RuntimeError("the event bus is not configured for this function")
    return EventBridgeBus(boto3.client("events"), name)


def webhook_sender() -> "HttpSender":
    """Posts webhook deliveries (to loopback too, on the local stack only)."""
    from billfold.endpoints.sending import HttpSender

    return HttpSender(allow_loopback=settings().webhooks_allow_loopback)


def queue_deliveries(deliveries: "list[Queued]") -> None:
    """Queue webhook deliveries for the delivery worker, ten to a batch."""
    queue = settings().delivery_queue_url
    if not queue:
        raise RuntimeError("the delivery queue is not configured for this function")
    for start in range(0, len(deliveries), 10):
        batch = deliveries[start : start + 10]
        response = sqs().send_message_batch(
            QueueUrl=queue,
            Entries=[
                {"Id": str(index), "MessageBody": queued.message()}
                for index, queued in enumerate(batch)
            ],
        )
        if response.get("Failed"):
            raise RuntimeError(f"SQS refused {len(response['Failed'])} deliveries")


@cache
def branding() -> "Branding":
    """The seller's branding and email settings."""
    from billfold.emails.branding import Branding

    return Branding.from_env()


def mailer() -> "SesMailer":
    """Sends emails through SES."""
    import boto3

    from billfold.emails.sending import SesMailer

    return SesMailer(boto3.client("ses"))
