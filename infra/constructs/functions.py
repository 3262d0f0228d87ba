"""billfold's Lambda functions: each with its own role, policy and log group, nothing shared.

Route functions live in one nested stack per route tag (with their API invoke permissions), so
the root stack grows by about one resource per route and each nested stack by five per function.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aws_cdk import Duration, NestedStack, Tags
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from billfold_lambda.routes import Needs, Route

from billfold import config
from infra import constants
from infra.constants import StageSettings
from infra.constructs import nag

LOG_WRITE_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")
TABLE_READ_ACTIONS = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query")
INDEX_READ_ACTIONS = ("dynamodb:Query",)
"""GetItem and BatchGetItem do not apply to indexes."""
TABLE_WRITE_ACTIONS = (
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
)
"""TransactWriteItems is authorized per item action, so it needs no action of its own."""
SECRET_READ_ACTIONS = ("secretsmanager:GetSecretValue",)


BUCKET_OBJECT_ACTIONS = ("s3:GetObject", "s3:PutObject")
BUCKET_LIST_ACTIONS = ("s3:ListBucket",)
"""Without it a missing object reads as 403, not 404 (the PDF is rendered when missing)."""
QUEUE_SEND_ACTIONS = ("sqs:SendMessage",)
EVENT_PUBLISH_ACTIONS = ("events:PutEvents",)
EMAIL_SEND_ACTIONS = ("ses:SendRawEmail",)


@dataclass(frozen=True)
class Grantables:
    """The resources a route's `needs` refer to."""

    table: dynamodb.ITable
    index_arns: Sequence[str]
    stripe_secret: secretsmanager.ISecret
    webhook_secret: secretsmanager.ISecret
    portal_secret: secretsmanager.ISecret
    invoice_bucket: s3.IBucket
    billing_queue: sqs.IQueue
    webhook_queue: sqs.IQueue
    event_bus: events.IEventBus
    delivery_queue: sqs.IQueue
    email_identity_arns: Sequence[str]
    """The SES identities emails are sent as: the from-address and its domain."""


def missing_handlers(operations: Sequence[str]) -> list[str]:
    """The operations whose `functions/<operation>/handler.py` does not exist."""
    return [
        operation
        for operation in operations
        if not (constants.FUNCTIONS_DIR / operation / constants.HANDLER_FILE).is_file()
    ]


def common_environment(settings: StageSettings, table: dynamodb.ITable) -> dict[str, str]:
    """The variables every function (routes and authorizer) gets."""
    return {
        config.ENV_TABLE_NAME: table.table_name,
        config.ENV_STAGE: settings.name,
        config.ENV_XRAY_SDK: "true" if settings.xray_sdk else "false",
        "POWERTOOLS_SERVICE_NAME": constants.POWERTOOLS_SERVICE_NAME,
        "POWERTOOLS_METRICS_NAMESPACE": constants.POWERTOOLS_METRICS_NAMESPACE,
        "LOG_LEVEL": constants.LOG_LEVEL,
        # responses hold customer details: keep them out of X-Ray
        "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
    }


def statement(actions: Sequence[str], resources: Sequence[str]) -> iam.PolicyStatement:
    """An Allow statement."""
    return iam.PolicyStatement(actions=list(actions), resources=list(resources))


def route_statements(needs: frozenset[Needs], grantables: Grantables) -> list[iam.PolicyStatement]:
    """Exactly the permissions a route's `needs` imply (a need without a mapping here fails)."""
    unknown = needs - set(Needs)
    if unknown:
        raise ValueError(f"no IAM statements for needs {sorted(unknown)}: add them here")
    table_arn = grantables.table.table_arn
    bucket = grantables.invoice_bucket
    granted: dict[Needs, list[iam.PolicyStatement]] = {
        Needs.TABLE_READ: [
            statement(TABLE_READ_ACTIONS, [table_arn]),
            statement(INDEX_READ_ACTIONS, grantables.index_arns),
        ],
        Needs.TABLE_WRITE: [statement(TABLE_WRITE_ACTIONS, [table_arn])],
        Needs.STRIPE_SECRET: [
            statement(SECRET_READ_ACTIONS, [grantables.stripe_secret.secret_arn])
        ],
        Needs.WEBHOOK_SECRET: [
            statement(SECRET_READ_ACTIONS, [grantables.webhook_secret.secret_arn])
        ],
        Needs.PORTAL_SECRET: [
            statement(SECRET_READ_ACTIONS, [grantables.portal_secret.secret_arn])
        ],
        Needs.INVOICE_BUCKET: [
            statement(BUCKET_OBJECT_ACTIONS, [bucket.arn_for_objects("invoices/*")]),
            statement(BUCKET_LIST_ACTIONS, [bucket.bucket_arn]),
        ],
        Needs.BILLING_QUEUE: [statement(QUEUE_SEND_ACTIONS, [grantables.billing_queue.queue_arn])],
        Needs.WEBHOOK_QUEUE: [statement(QUEUE_SEND_ACTIONS, [grantables.webhook_queue.queue_arn])],
        Needs.EVENT_BUS: [statement(EVENT_PUBLISH_ACTIONS, [grantables.event_bus.event_bus_arn])],
        Needs.DELIVERY_QUEUE: [
            statement(QUEUE_SEND_ACTIONS, [grantables.delivery_queue.queue_arn])
        ],
        Needs.SEND_EMAIL: [statement(EMAIL_SEND_ACTIONS, grantables.email_identity_arns)],
    }
    return [
        granted_statement for need in Needs if need in needs for granted_statement in granted[need]
    ]


def need_environment(needs: frozenset[Needs], grantables: Grantables) -> dict[str, str]:
    """The variables that tell a function where the resources of its `needs` are."""
    settings = {
        Needs.STRIPE_SECRET: (config.ENV_STRIPE_SECRET_ID, grantables.stripe_secret.secret_arn),
        Needs.WEBHOOK_SECRET: (
            config.ENV_STRIPE_WEBHOOK_SECRET_ID,
            grantables.webhook_secret.secret_arn,
        ),
        Needs.PORTAL_SECRET: (config.ENV_PORTAL_SECRET_ID, grantables.portal_secret.secret_arn),
        Needs.INVOICE_BUCKET: (config.ENV_INVOICE_BUCKET, grantables.invoice_bucket.bucket_name),
        Needs.BILLING_QUEUE: (config.ENV_BILLING_QUEUE_URL, grantables.billing_queue.queue_url),
        Needs.WEBHOOK_QUEUE: (config.ENV_WEBHOOK_QUEUE_URL, grantables.webhook_queue.queue_url),
        Needs.EVENT_BUS: (config.ENV_EVENT_BUS_NAME, grantables.event_bus.event_bus_name),
        Needs.DELIVERY_QUEUE: (config.ENV_DELIVERY_QUEUE_URL, grantables.delivery_queue.queue_url),
    }
    return dict(value for need, value in settings.items() if need in needs)


def route_environment(
    route: Route, common: Mapping[str, str], grantables: Grantables
) -> dict[str, str]:
    """`common`, plus where the resources of the route's needs are."""
    return {**common, **need_environment(route.needs, grantables)}


class ServiceFunction(Construct):
    """One Lambda function (`functions/<operation>/`) with a role and log group of its own.

    The role has no managed policies: `statements`, writing to its own log group, and the X-Ray
    statement that active tracing adds. `invoice_bucket`: the statements include the bucket's
    `invoices/*` objects (acknowledged to cdk-nag on this role).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        operation: str,
        description: str,
        environment: Mapping[str, str],
        statements: Sequence[iam.PolicyStatement],
        layers: Sequence[lambda_.ILayerVersion],
        settings: StageSettings,
        invoice_bucket: s3.IBucket | None = None,
        timeout: Duration = constants.TIMEOUT,
        snap_start: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(
            self,
            "LogGroup",
            retention=settings.log_retention,
            removal_policy=settings.removal_policy,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"billfold {settings.name} {operation}",
        )
        self.role.add_to_principal_policy(
            statement(LOG_WRITE_ACTIONS, [self.log_group.log_group_arn])
        )
        for granted in statements:
            self.role.add_to_principal_policy(granted)
        nag.acknowledge(self.role, nag.XRAY_WRITE)
        if invoice_bucket is not None:
            nag.acknowledge(self.role, nag.invoice_objects(invoice_bucket))
        self.function = lambda_.Function(
            self,
            "Function",
            description=description,
            runtime=constants.LAMBDA_RUNTIME,
            architecture=constants.LAMBDA_ARCHITECTURE,
            handler=constants.HANDLER,
            code=lambda_.Code.from_asset(
                str(constants.FUNCTIONS_DIR / operation), exclude=["__pycache__", "*.pyc"]
            ),
            layers=list(layers),
            memory_size=constants.MEMORY_MB,
            timeout=timeout,
            tracing=lambda_.Tracing.ACTIVE,
            role=self.role,
            log_group=self.log_group,
            environment=dict(environment),
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if snap_start else None,
        )
        self.target: lambda_.IFunction = self.function
        """What invokes it: the function, or with SnapStart its `live` alias of the latest
        published version (SnapStart runs only published versions)."""
        if snap_start:
            self.target = lambda_.Alias(
                self, "Live", alias_name="live", version=self.function.current_version
            )
        Tags.of(self).add(constants.TAG_OPERATION, operation)


def background_function(
    scope: Construct,
    operation: str,
    description: str,
    needs: frozenset[Needs],
    *,
    grantables: Grantables,
    layers: Sequence[lambda_.ILayerVersion],
    settings: StageSettings,
    environment: Mapping[str, str] | None = None,
    timeout: Duration = constants.WORKER_TIMEOUT,
) -> ServiceFunction:
    """A function no route calls (a queue worker, a scheduled run): exactly what its `needs`
    grant, and where those resources are, plus `environment`."""
    return ServiceFunction(
        scope,
        constants.construct_id(operation),
        operation=operation,
        description=description,
        environment={
            **common_environment(settings, grantables.table),
            **need_environment(needs, grantables),
            **(environment or {}),
        },
        statements=route_statements(needs, grantables),
        layers=layers,
        settings=settings,
        invoice_bucket=grantables.invoice_bucket if Needs.INVOICE_BUCKET in needs else None,
        timeout=timeout,
    )


def consume(
    worker: ServiceFunction, queue: sqs.IQueue, batch_size: int = constants.WORKER_BATCH_SIZE
) -> None:
    """Feed the queue to the worker (the event source grants it the queue's consume actions),
    reporting failures per message."""
    worker.function.add_event_source(
        sources.SqsEventSource(queue, batch_size=batch_size, report_batch_item_failures=True)
    )


class FunctionGroup(NestedStack):
    """The functions of the routes that share a tag, each invokable only by its API method."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        tag: str,
        routes: Sequence[Route],
        grantables: Grantables,
        layers: Sequence[lambda_.ILayerVersion],
        rest_api: apigateway.IRestApi,
        api_stage: str,
        settings: StageSettings,
    ) -> None:
        super().__init__(
            scope, construct_id, description=f"billfold {settings.name}: {tag} functions"
        )
        common = common_environment(settings, grantables.table)
        self.functions: dict[str, ServiceFunction] = {}
        for route in routes:
            service_function = ServiceFunction(
                self,
                constants.construct_id(route.operation),
                operation=route.operation,
                description=f"{route.method} {route.path}: {route.summary}",
                environment=route_environment(route, common, grantables),
                statements=route_statements(route.needs, grantables),
                layers=layers,
                settings=settings,
                invoice_bucket=(
                    grantables.invoice_bucket if Needs.INVOICE_BUCKET in route.needs else None
                ),
                snap_start=settings.snap_start,
            )
            # What LambdaIntegration(scope_permission_to_method=True, allow_test_invoke=False)
            # would add, but here, next to the function, instead of in the root stack.
            service_function.target.add_permission(
                "ApiInvoke",
                principal=iam.ServicePrincipal("apigateway.amazonaws.com"),
                source_arn=rest_api.arn_for_execute_api(
                    route.method, route.resource_path(), api_stage
                ),
            )
            self.functions[route.operation] = service_function
