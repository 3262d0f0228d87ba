"""Names, paths and per-stage settings of billfold's stack: the one place to change them."""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs

from billfold_lambda.routes import ROUTES

APP_NAME = "billfold"

# --- Paths (all relative to the repository root) -------------------------------------------------
REPO_ROOT = Path(__file__).resolve().parent.parent
CDK_JSON = REPO_ROOT / "cdk.json"
DEFAULT_OUTDIR = REPO_ROOT / "cdk.out"
FUNCTIONS_DIR = REPO_ROOT / "functions"
"""One folder per operation: `functions/<operation>/handler.py` exposing `handler`."""
SHARED_LAYER_SOURCE = REPO_ROOT / "layers" / "shared"
SHARED_LAYER_PACKAGES = ("billfold", "billfold_lambda")
DEPS_REQUIREMENTS = REPO_ROOT / "layers" / "deps" / "requirements.txt"
LAYER_BUILD_DIR = REPO_ROOT / ".build" / "layers"
PORTAL_DIR = REPO_ROOT / "portal"
"""The customer portal's static files, served by CloudFront as they are."""

# --- Lambda --------------------------------------------------------------------------------------
LAMBDA_RUNTIME = lambda_.Runtime.PYTHON_3_14
LAMBDA_ARCHITECTURE = lambda_.Architecture.ARM_64
PIP_PLATFORM = "manylinux2014_aarch64"
"""The wheel platform matching LAMBDA_ARCHITECTURE."""
PIP_PYTHON_VERSION = LAMBDA_RUNTIME.name.removeprefix("python")
PYC_CACHE_TAG = "cpython-" + PIP_PYTHON_VERSION.replace(".", "")
"""The `__pycache__` tag of the runtime's interpreter: the layers ship bytecode under it."""
BYTECODE_TOOL = REPO_ROOT / "infra" / "bytecode"
"""Compiles the layers with the runtime's CPython (Pyodide under Node.js; see its README)."""
RUNTIME_PROVIDED_PACKAGES = ("boto3", "botocore", "s3transfer")
"""Pulled in by aws-xray-sdk, but the Lambda runtime ships them: pruned from the deps layer."""
HANDLER_FILE = "handler.py"
HANDLER = "handler.handler"
AUTHORIZER_OPERATION = "authorizer"
MEMORY_MB = 512
TIMEOUT = Duration.seconds(10)
WORKER_TIMEOUT = Duration.seconds(60)
"""The queue workers' timeout: a settlement calls Stripe and renders PDFs."""
WORKER_BATCH_SIZE = 10
MAX_RECEIVES = 5
"""Deliveries of a queue message before it moves to the dead-letter queue."""
BILLING_RUN_EVERY = Duration.minutes(5)
"""How often the scheduled billing run looks for due work."""
DUNNING_DAYS = (1, 3, 5)
"""Days after a failed charge to try again; then the invoice is uncollectible."""
WEBHOOK_RETRY_EVERY = Duration.minutes(1)
"""How often the webhook retry sweep queues the deliveries whose retry is due."""
DELIVERY_TIMEOUT = Duration.seconds(120)
"""The delivery worker's timeout: a batch of deliveries, each up to 10 seconds."""
DELIVERY_BATCH_SIZE = 5
RELAY_BATCH_SIZE = 100
RELAY_RETRIES = 20
"""Tries of a stream batch before its records go to the relay's dead-letter queue."""
EVENT_ARCHIVE_RETENTION = Duration.days(90)
"""How long the bus's archive keeps events for replay."""
POWERTOOLS_SERVICE_NAME = "billfold"
POWERTOOLS_METRICS_NAMESPACE = "Billfold"
LOG_LEVEL = "INFO"
TAG_OPERATION = "billfold:operation"
TAG_STAGE = "billfold:stage"

# --- API -----------------------------------------------------------------------------------------
AUTHORIZATION_HEADER = "Authorization"
AUTHORIZER_CACHE_TTL = Duration.seconds(300)
THROTTLE_RATE_LIMIT = 100
"""Steady-state requests per second, for the whole stage."""
THROTTLE_BURST_LIMIT = 200
PUBLISHABLE_RATE_LIMIT = 20
"""Requests per second the usage plan lets publishable keys make (pricing tables, paywalls).
No daily quota: a key in a public page could be made to use one up for every visitor."""
PUBLISHABLE_BURST_LIMIT = 40
PUBLIC_OPERATIONS: frozenset[str] = frozenset(route.operation for route in ROUTES if route.public)
"""Operations whose method skips the Lambda authorizer: the Stripe webhook, which proves itself
with its signature header, and email links, signed in their path (each checked by its
handler)."""

# --- Context (`-c key=value`) -------------------------------------------------------------------
CONTEXT_XRAY_SDK = "xraySdk"
"""`-c xraySdk=true`: functions load the X-Ray SDK for subsegments (costs each cold start)."""
CONTEXT_SNAP_START = "snapStart"
"""`-c snapStart=true`: the API's functions run from SnapStart snapshots of published versions."""
CONTEXT_CORS_ORIGINS = "corsOrigins"
"""Comma-separated origins whose pages may call the API from a browser (default `*`)."""
CONTEXT_STRIPE_JS_URL = "stripeJsUrl"
"""Where the portal loads Stripe.js from (default `infra.portal_policy.STRIPE_JS_URL`)."""
CONTEXT_PORTAL_DOMAIN = "portalDomain"
"""The portal's own host name, e.g. billing.example.com (with `portalCertificateArn`)."""
CONTEXT_PORTAL_CERTIFICATE_ARN = "portalCertificateArn"
"""The ACM certificate (in us-east-1) for `portalDomain`."""
CONTEXT_PORTAL_URL = "portalUrl"
"""The page a portal session links to, when the user embeds the portal in their own app
(default: the portal's CloudFront URL)."""

CONTEXT_ALARM_EMAIL = "alarmEmail"
"""Where alarms are emailed (an SNS email subscription; without it, subscribe to the topic)."""
CONTEXT_EMAIL_FROM = "emailFrom"
"""The address emails come from: an identity verified in SES (default: the seller's email)."""
CONTEXT_EMAIL_REPLY_TO = "emailReplyTo"
CONTEXT_BRAND_NAME = "brandName"
CONTEXT_BRAND_LOGO_URL = "brandLogoUrl"
CONTEXT_BRAND_ACCENT = "brandAccent"
CONTEXT_EMAILS = "emails"
"""Which emails are sent: `all` (default), `none`, or a comma-separated list of kinds."""
CONTEXT_SELLER_NAME = "sellerName"
CONTEXT_SELLER_EMAIL = "sellerEmail"

# --- Alarms --------------------------------------------------------------------------------------
API_5XX_PERCENT = 1
"""Alarm when more than this share of API requests fail on the server side (5 minutes)."""
BILLING_LAG_SECONDS = 3600
"""Alarm when a due customer has waited longer than this to be settled."""
WEBHOOK_FAILURES = 10
"""Alarm when this many webhook attempts fail within 15 minutes."""
PAYMENT_FAILURE_PERCENT = 20
"""Alarm when more than this share of charges fail in an hour (from 5 charges on)."""
SIGNATURE_FAILURES = 5
"""Alarm when this many Stripe webhooks fail their signature check within 5 minutes."""
ALARM_GROUP_SIZE = 10
"""Functions per errors or throttles alarm: a CloudWatch alarm's math takes 10 metrics."""

# --- SDK direct mode ---------------------------------------------------------------------------
DIRECT_ACCESS_ACTIONS = (
    "dynamodb:Query",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:UpdateItem",
    "dynamodb:PutItem",
)
"""What the SDK's direct mode does on the table (a consume's transaction is item writes), in
customer partitions only: the stack's DirectEntitlementsPolicy grants exactly these."""

# --- Portal --------------------------------------------------------------------------------------
PORTAL_LINK_OPERATIONS = frozenset(
    {"create_portal_session", "open_email_link", "create_checkout_session", "complete_checkout"}
)
"""The routes whose functions hand out portal URLs: they need to know the portal page's URL."""
SPEND_LIMIT_OPERATION = "set_spend_limit"
CONTEXT_CUSTOMER_SPEND_LIMITS = "customerSpendLimits"
"""`-c customerSpendLimits=true` lets customers set their own spend limit in the portal."""
ENTITLEMENT_CHECK = "check_entitlement"
"""The hot-path operation the dashboard shows."""
PORTAL_INDEX = "index.html"
PORTAL_CONFIG_FILE = "config.json"
"""Written next to the page at deployment: the API URL and Stripe.js URL it uses."""

# --- Secrets -------------------------------------------------------------------------------------
STRIPE_SECRET = "stripe"
STRIPE_WEBHOOK_SECRET = "stripe-webhook"
PORTAL_SIGNING_SECRET = "portal-signing"
PORTAL_SECRET_LENGTH = 64
PLACEHOLDER = "REPLACE_ME"
"""Value of the user-supplied secrets until `aws secretsmanager put-secret-value` replaces it."""

FEATURE_FLAGS: dict[str, Any] = {
    # Server access logs are delivered through a bucket policy, not the legacy ACL.
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
    # A change to the authorizer redeploys the API stage.
    "@aws-cdk/aws-apigateway:authorizerChangeDeploymentLogicalId": True,
}
"""CDK feature flags the stack relies on (cdk.json may override them)."""


@dataclass(frozen=True)
class StageSettings:
    """What differs between a throwaway stage and production."""

    name: str
    log_retention: logs.RetentionDays
    access_log_expiration: Duration
    """Lifetime of the invoice bucket's S3 server access logs."""
    removal_policy: RemovalPolicy
    """For stateful resources: table, buckets, secrets, log groups."""
    protected: bool
    """Table deletion protection and stack termination protection."""
    xray_sdk: bool = False
    """Load the X-Ray SDK in every function (`-c xraySdk=true`); active tracing is always on."""
    snap_start: bool = False
    """SnapStart for the API's functions, behind a `live` alias (`-c snapStart=true`)."""


STAGES: dict[str, StageSettings] = {
    "dev": StageSettings(
        name="dev",
        log_retention=logs.RetentionDays.ONE_MONTH,
        access_log_expiration=Duration.days(30),
        removal_policy=RemovalPolicy.DESTROY,
        protected=False,
    ),
    "prod": StageSettings(
        name="prod",
        log_retention=logs.RetentionDays.ONE_YEAR,
        access_log_expiration=Duration.days(365),
        removal_policy=RemovalPolicy.RETAIN,
        protected=True,
    ),
}


def stage_settings(stage: str) -> StageSettings:
    """The settings of a stage, or a ValueError naming the known ones."""
    try:
        return STAGES[stage]
    except KeyError:
        raise ValueError(f"unknown stage {stage!r}: use one of {', '.join(STAGES)}") from None


def stack_name(stage: str) -> str:
    """The CloudFormation stack name of a stage."""
    return f"Billfold-{stage}"


def secret_name(stage: str, secret: str) -> str:
    """The Secrets Manager name of one of billfold's secrets."""
    return f"{APP_NAME}/{stage}/{secret}"


def construct_id(name: str) -> str:
    """`create_feature` or `stripe-webhook` as a construct id: `CreateFeature`, `StripeWebhook`."""
    return "".join(part.capitalize() for part in re.split(r"[^0-9A-Za-z]+", name) if part)
