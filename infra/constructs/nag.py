"""cdk-nag: the AWS Solutions rule pack, and every finding billfold accepts, with its reason.

cdk-nag 3 runs as a CDK validation plugin: `app.synth()` fails while any finding is unacknowledged.
Findings are acknowledged with CDK's `Validations.of(scope).acknowledge()` (cdk-nag 3 removed
`NagSuppressions`); an acknowledgment covers `scope` and everything below it, so each one is made
on the narrowest construct it is about.
"""

from dataclasses import dataclass

from aws_cdk import Acknowledgment, App, Names, Validations
from aws_cdk import aws_s3 as s3
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct


@dataclass(frozen=True)
class Ack:
    """An accepted cdk-nag finding: the rule id (with its `[finding]` when it has one) and why."""

    rule: str
    reason: str


XRAY_WRITE = Ack(
    "AwsSolutions-IAM5[Resource::*]",
    "Only the X-Ray statement (xray:PutTraceSegments, xray:PutTelemetryRecords) that active "
    "tracing adds uses Resource '*': X-Ray has no resource-level permissions for these actions.",
)


def invoice_objects(bucket: s3.IBucket) -> Ack:
    """The wildcard on the invoice bucket's `invoices/` objects, as a nested stack sees it (the
    finding names the bucket by the parameter CDK passes its ARN in)."""
    reference = f"referenceto{Names.unique_id(bucket.node.default_child)}Arn"  # type: ignore[arg-type]
    return Ack(
        f"AwsSolutions-IAM5[Resource::<{reference}>/invoices/*]",
        "Functions that keep invoice documents read and write objects under the bucket's "
        "`invoices/` prefix only: one object per invoice and status, so the keys cannot be "
        "listed in advance.",
    )


API_CLOUDWATCH_ROLE = Ack(
    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
    "AmazonAPIGatewayPushToCloudWatchLogs]",
    "The account-level role API Gateway uses to write execution logs; AWS's service-role policy "
    "is the documented way to grant it and is not attached to any function role.",
)
API_REQUEST_VALIDATION = Ack(
    "AwsSolutions-APIG2",
    "Every handler validates its path, query and body with pydantic models (shared with the "
    "local gateway and the OpenAPI document); API Gateway models would duplicate them.",
)
API_WAF = Ack(
    "AwsSolutions-APIG3",
    "No WAF web ACL yet: stage throttling (100 rps, burst 200) and the Lambda authorizer, whose "
    "decisions are cached for 300 s, bound unauthenticated load. Associate a regional web ACL "
    "when the API takes public (portal) traffic at scale.",
)
API_COGNITO = Ack(
    "AwsSolutions-COG4",
    "billfold authenticates with server API keys and portal tokens that it issues itself, "
    "checked by a REQUEST Lambda authorizer; there is no Cognito user pool by design.",
)
PUBLIC_ROUTE_AUTH = Ack(
    "AwsSolutions-APIG4",
    "Deliberately unauthenticated route (listed in PUBLIC_OPERATIONS): the caller cannot hold a "
    "billfold credential, and the handler verifies the request's signature instead.",
)
STRIPE_SECRET_ROTATION = Ack(
    "AwsSolutions-SMG4",
    "Stripe API keys are rolled in the Stripe dashboard and then stored with "
    "`aws secretsmanager put-secret-value`; Secrets Manager cannot rotate them itself.",
)
STRIPE_WEBHOOK_SECRET_ROTATION = Ack(
    "AwsSolutions-SMG4",
    "Stripe issues the webhook signing secret when the endpoint is (re)created in Stripe; it is "
    "rolled there and then stored with `aws secretsmanager put-secret-value`.",
)
PORTAL_SECRET_ROTATION = Ack(
    "AwsSolutions-SMG4",
    "Rotating the portal-token signing key invalidates every outstanding portal token at once; "
    "until the authorizer accepts a previous key during a grace period, it is rotated by hand "
    "(put-secret-value) rather than on a schedule.",
)


def acknowledge(scope: IConstruct, *acks: Ack) -> None:
    """Accept findings on `scope` and its children."""
    Validations.of(scope).acknowledge(*(Acknowledgment(id=a.rule, reason=a.reason) for a in acks))


def add_checks(app: App) -> None:
    """Run the AWS Solutions pack on every stack when the app synthesizes."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
