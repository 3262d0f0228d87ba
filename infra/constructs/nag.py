"""cdk-nag: the AWS Solutions rule pack, and every finding billfold accepts, with its reason.

cdk-nag 3 runs as a CDK validation plugin: `app.synth()` fails while any finding is unacknowledged.
Findings are acknowledged with CDK's `Validations.of(scope).acknowledge()` (cdk-nag 3 removed
`NagSuppressions`); an acknowledgment covers `scope` and everything below it, so each one is made
on the narrowest construct it is about.
"""

from dataclasses import dataclass

from aws_cdk import Acknowledgment, App, DefaultStackSynthesizer, Names, Stack, Validations
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
CORS_PREFLIGHT_AUTH = Ack(
    "AwsSolutions-APIG4",
    "CORS preflight: API Gateway answers OPTIONS itself with a mock integration; browsers send "
    "no credential on a preflight.",
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


PORTAL_GEO_RESTRICTION = Ack(
    "AwsSolutions-CFR1",
    "The portal serves the customers of billfold's users wherever they are; which countries to "
    "serve is the user's business decision, not a control for a page that holds no data.",
)
PORTAL_WAF = Ack(
    "AwsSolutions-CFR2",
    "The distribution serves cached static files (GET/HEAD) from a private bucket; everything "
    "with data goes to the API, which has stage throttling and the Lambda authorizer. Associate "
    "a CloudFront web ACL if traffic to the static page ever needs filtering.",
)
PORTAL_ACCESS_LOGS = Ack(
    "AwsSolutions-CFR3",
    "The portal is a static page that holds no data: its bucket has S3 server access logs and "
    "every call it makes is in the API's access logs. CloudFront standard logs need an "
    "ACL-enabled bucket; enable them when page traffic needs analysing.",
)
PORTAL_TLS = Ack(
    "AwsSolutions-CFR4",
    "The distribution uses the default *.cloudfront.net certificate, whose minimum protocol "
    "CloudFront fixes; a TLS 1.2 minimum needs an alternate domain name with an ACM certificate "
    "that the deploying account owns. Viewers are redirected to HTTPS.",
)
BUCKET_DEPLOYMENT_RUNTIME = Ack(
    "AwsSolutions-L1",
    "The handler of CDK's BucketDeployment custom resource: aws-cdk-lib picks its runtime to "
    "match the AWS CLI layer it bundles, and it runs only while CloudFormation deploys.",
)
BUCKET_DEPLOYMENT_LOGS = Ack(
    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
    "AWSLambdaBasicExecutionRole]",
    "The role of CDK's BucketDeployment handler (created by aws-cdk-lib): the AWS managed "
    "basic execution policy lets it write its logs and nothing else.",
)


def bucket_deployment_role(destination: s3.IBucket) -> tuple[Ack, ...]:
    """The wildcards aws-cdk-lib grants its BucketDeployment handler: read the assets bucket,
    replace the objects of `destination`, invalidate the CloudFront distribution."""
    stack = Stack.of(destination)
    bucket_id = stack.get_logical_id(destination.node.default_child)  # type: ignore[arg-type]
    qualifier = (
        stack.node.try_get_context("@aws-cdk/core:bootstrapQualifier")
        or DefaultStackSynthesizer.DEFAULT_QUALIFIER
    )
    assets = f"arn:<AWS::Partition>:s3:::cdk-{qualifier}-assets-<AWS::AccountId>-<AWS::Region>"
    sync = (
        "CDK's BucketDeployment syncs the portal files into its bucket (`aws s3 sync --delete`): "
        "aws-cdk-lib grants its handler role"
    )
    return (
        *(
            Ack(
                f"AwsSolutions-IAM5[Action::{action}]",
                f"{sync} {action} on the CDK assets bucket and the portal bucket only.",
            )
            for action in ("s3:GetObject*", "s3:GetBucket*", "s3:List*")
        ),
        *(
            Ack(
                f"AwsSolutions-IAM5[Action::{action}]",
                f"{sync} {action} on the portal bucket and its objects only.",
            )
            for action in ("s3:DeleteObject*", "s3:Abort*")
        ),
        Ack(
            f"AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/*]",
            f"{sync} write access to every object of the portal bucket, which holds nothing else.",
        ),
        Ack(
            f"AwsSolutions-IAM5[Resource::{assets}/*]",
            f"{sync} read access to the CDK assets bucket, where the zipped portal files are "
            "staged under content-hashed keys.",
        ),
        Ack(
            "AwsSolutions-IAM5[Resource::*]",
            "aws-cdk-lib grants CDK's BucketDeployment handler cloudfront:CreateInvalidation and "
            "cloudfront:GetInvalidation on '*' (not on the distribution) to invalidate the portal "
            "after each deployment; the handler runs only while CloudFormation deploys.",
        ),
    )


RELAY_FAILURES_ARE_DEAD_LETTERS = Ack(
    "AwsSolutions-SQS3",
    "This queue is itself a dead-letter queue: the relay's stream event source sends the "
    "records it gave up on here (an on-failure destination, not a redrive policy, so cdk-nag "
    "does not see it as one). It has its alarm like every other dead-letter queue.",
)


def acknowledge(scope: IConstruct, *acks: Ack) -> None:
    """Accept findings on `scope` and its children."""
    Validations.of(scope).acknowledge(*(Acknowledgment(id=a.rule, reason=a.reason) for a in acks))


def add_checks(app: App) -> None:
    """Run the AWS Solutions pack on every stack when the app synthesizes."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
