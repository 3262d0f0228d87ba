"""Functions: one per route (plus the authorizer), each with a least-privilege role of its own."""

from collections import defaultdict
from typing import Any

import pytest

from billfold_lambda.routes import ROUTES, Needs, Route

from billfold import config
from billfold.storage import schema
from infra.constants import PORTAL_LINK_OPERATIONS
from tests.infra.assembly import FUNCTIONS_DIR, Assembly, FunctionInfo, as_list

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("infra-dev")]

AUTHORIZER = "authorizer"
XRAY = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
LOGS = {"logs:CreateLogStream", "logs:PutLogEvents"}
TABLE_ITEM_READ = {"dynamodb:GetItem", "dynamodb:BatchGetItem"}
QUERY = "dynamodb:Query"
TABLE_WRITE = {
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
}
SECRET_READ = "secretsmanager:GetSecretValue"
INVALIDATION = {"cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"}
BUCKET_OBJECTS = {"s3:GetObject", "s3:PutObject"}
QUEUE_SEND = "sqs:SendMessage"
QUEUE_CONSUME = {
    "sqs:ReceiveMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueUrl",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
}
"""What an SQS event source grants its function on the queue."""
ROUTE_IDS = [route.operation for route in ROUTES]
WORKERS = ["billing_scheduler", "billing_worker", "webhook_worker"]
EVENT_WORKERS = [
    "relay_events",
    "fan_out_webhooks",
    "deliver_webhooks",
    "retry_webhooks",
    "send_emails",
]
NON_ROUTE = [AUTHORIZER, *WORKERS, *EVENT_WORKERS]
SETTLE = frozenset({Needs.TABLE_READ, Needs.TABLE_WRITE, Needs.STRIPE_SECRET, Needs.INVOICE_BUCKET})


@pytest.fixture(scope="module")
def refs(dev: Assembly) -> dict[str, Any]:
    """Root-stack references that function policies and environments must point at."""
    table_id, _ = dev.only("AWS::DynamoDB::Table")
    table_arn = {"Fn::GetAtt": [table_id, "Arn"]}
    secrets = {
        r["Properties"]["Name"]: {"Ref": k}
        for k, r in dev.root.of_type("AWS::SecretsManager::Secret").items()
    }
    bucket_id = next(k for k in dev.root.of_type("AWS::S3::Bucket") if "InvoiceBucket" in k)
    bucket_arn = {"Fn::GetAtt": [bucket_id, "Arn"]}
    queues = {
        name: next(
            k
            for k in dev.root.of_type("AWS::SQS::Queue")
            if f"Queues{name}" in k and "DeadLetters" not in k
        )
        for name in ("Billing", "Webhooks")
    }
    return {
        "table": {"Ref": table_id},
        "table_arn": table_arn,
        "bucket": {"Ref": bucket_id},
        "bucket_arn": bucket_arn,
        "bucket_objects": {"Fn::Join": ["", [bucket_arn, "/invoices/*"]]},
        "billing_queue": {"Ref": queues["Billing"]},
        "billing_queue_arn": {"Fn::GetAtt": [queues["Billing"], "Arn"]},
        "webhook_queue": {"Ref": queues["Webhooks"]},
        "webhook_queue_arn": {"Fn::GetAtt": [queues["Webhooks"], "Arn"]},
        "webhook_secret": secrets["billfold/dev/stripe-webhook"],
        "index_arns": [
            {"Fn::Join": ["", [table_arn, f"/index/{index.name}"]]}
            for index in schema.GLOBAL_INDEXES
        ],
        "stripe": secrets["billfold/dev/stripe"],
        "portal": secrets["billfold/dev/portal-signing"],
    }


def granted(function: FunctionInfo) -> dict[str, list[Any]]:
    """Action → resources, over all of the function's role's statements."""
    grants: dict[str, list[Any]] = defaultdict(list)
    for statement in function.statements():
        assert statement["Effect"] == "Allow"
        assert set(statement) == {"Effect", "Action", "Resource"}, statement
        for action in as_list(statement["Action"]):
            grants[action] += as_list(statement["Resource"])
    return grants


def expected_grants(
    function: FunctionInfo, needs: frozenset[Needs], refs: dict[str, Any]
) -> dict[str, list[Any]]:
    grants: dict[str, list[Any]] = defaultdict(list)
    for action in LOGS:
        grants[action].append({"Fn::GetAtt": [function.log_group_id, "Arn"]})
    for action in XRAY:
        grants[action].append("*")
    if Needs.TABLE_READ in needs:
        for action in TABLE_ITEM_READ:
            grants[action].append(refs["table_arn"])
        grants[QUERY] += [refs["table_arn"], *refs["index_arns"]]
    if Needs.TABLE_WRITE in needs:
        for action in TABLE_WRITE:
            grants[action].append(refs["table_arn"])
    if Needs.STRIPE_SECRET in needs:
        grants[SECRET_READ].append(refs["stripe"])
    if Needs.WEBHOOK_SECRET in needs:
        grants[SECRET_READ].append(refs["webhook_secret"])
    if Needs.PORTAL_SECRET in needs:
        grants[SECRET_READ].append(refs["portal"])
    if Needs.INVOICE_BUCKET in needs:
        for action in BUCKET_OBJECTS:
            grants[action].append(refs["bucket_objects"])
        grants["s3:ListBucket"].append(refs["bucket_arn"])
    if Needs.BILLING_QUEUE in needs:
        grants[QUEUE_SEND].append(refs["billing_queue_arn"])
    if Needs.WEBHOOK_QUEUE in needs:
        grants[QUEUE_SEND].append(refs["webhook_queue_arn"])
    return grants


def expected_environment(needs: frozenset[Needs], refs: dict[str, Any]) -> dict[str, Any]:
    environment = {
        config.ENV_TABLE_NAME: refs["table"],
        config.ENV_STAGE: "dev",
        config.ENV_XRAY_SDK: "false",
        "POWERTOOLS_SERVICE_NAME": "billfold",
        "POWERTOOLS_METRICS_NAMESPACE": "Billfold",
        "LOG_LEVEL": "INFO",
        "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
    }
    where = {
        Needs.STRIPE_SECRET: (config.ENV_STRIPE_SECRET_ID, "stripe"),
        Needs.WEBHOOK_SECRET: (config.ENV_STRIPE_WEBHOOK_SECRET_ID, "webhook_secret"),
        Needs.PORTAL_SECRET: (config.ENV_PORTAL_SECRET_ID, "portal"),
        Needs.INVOICE_BUCKET: (config.ENV_INVOICE_BUCKET, "bucket"),
        Needs.BILLING_QUEUE: (config.ENV_BILLING_QUEUE_URL, "billing_queue"),
        Needs.WEBHOOK_QUEUE: (config.ENV_WEBHOOK_QUEUE_URL, "webhook_queue"),
    }
    for need, (variable, ref) in where.items():
        if need in needs:
            environment[variable] = refs[ref]
    return environment


def canonical(grants: dict[str, list[Any]]) -> dict[str, list[str]]:
    return {action: sorted(map(repr, resources)) for action, resources in grants.items()}


def test_every_handler_folder_is_a_route_the_authorizer_or_a_worker() -> None:
    folders = {p.name for p in FUNCTIONS_DIR.iterdir() if (p / "handler.py").is_file()}
    assert folders == {*ROUTE_IDS, *NON_ROUTE}


def test_one_function_per_route_the_authorizer_and_each_worker(dev: Assembly) -> None:
    operations = [f.operation for f in dev.functions]
    assert sorted(operations) == sorted([*ROUTE_IDS, *NON_ROUTE])


@pytest.mark.parametrize("operation", [*ROUTE_IDS, *NON_ROUTE])
def test_function_runtime_settings(dev: Assembly, operation: str) -> None:
    properties = dev.function(operation).properties
    assert properties["Runtime"] == "python3.14"
    assert properties["Architectures"] == ["arm64"]
    assert properties["Handler"] == "handler.handler"
    assert properties["MemorySize"] == 512
    timeout = 60 if operation in WORKERS + EVENT_WORKERS else 10
    assert properties["Timeout"] == (120 if operation == "deliver_webhooks" else timeout)
    assert properties["TracingConfig"] == {"Mode": "Active"}


@pytest.mark.parametrize("operation", [*ROUTE_IDS, *NON_ROUTE])
def test_function_uses_both_layers(dev: Assembly, operation: str) -> None:
    layers = {
        dev.layer_kind(dev.asset_dir(r["Properties"]["Content"])): {"Ref": k}
        for k, r in dev.layers.items()
    }
    function = dev.function(operation)
    assert function.stack.resolve(function.properties["Layers"]) == [
        layers["shared"],
        layers["deps"],
    ]


@pytest.mark.parametrize("operation", [*ROUTE_IDS, *NON_ROUTE])
def test_function_logs_to_its_own_log_group(dev: Assembly, operation: str) -> None:
    function = dev.function(operation)
    log_group = function.stack.resources[function.log_group_id]
    assert log_group["Type"] == "AWS::Logs::LogGroup"
    assert log_group["Properties"]["RetentionInDays"] == 30
    assert [
        f.operation
        for f in dev.functions
        if f.stack is function.stack and f.log_group_id == function.log_group_id
    ] == [operation]


def test_every_function_has_a_role_of_its_own(dev: Assembly) -> None:
    roles = [(id(f.stack), f.role_id) for f in dev.functions]
    assert len(set(roles)) == len(roles)
    for function in dev.functions:
        role = function.role["Properties"]
        assert "ManagedPolicyArns" not in role, function.operation
        assert "Policies" not in role, function.operation
        assert role["AssumeRolePolicyDocument"]["Statement"] == [
            {
                "Action": "sts:AssumeRole",
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
            }
        ]
        assert len(function.policies()) == 1, function.operation


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_route_role_grants_exactly_what_its_needs_imply(
    dev: Assembly, refs: dict[str, Any], route: Route
) -> None:
    function = dev.function(route.operation)
    assert canonical(granted(function)) == canonical(expected_grants(function, route.needs, refs))


def test_authorizer_role_reads_credentials_and_the_portal_key_only(
    dev: Assembly, refs: dict[str, Any]
) -> None:
    function = dev.function(AUTHORIZER)
    expected = expected_grants(function, frozenset(), refs)
    expected["dynamodb:GetItem"].append(refs["table_arn"])
    expected[SECRET_READ].append(refs["portal"])
    assert canonical(granted(function)) == canonical(expected)


def test_only_xray_is_granted_on_every_resource(dev: Assembly) -> None:
    """And CloudFront invalidations, which aws-cdk-lib grants its BucketDeployment handler on
    every distribution (acknowledged to cdk-nag on that role only), and the relay's
    dynamodb:ListStreams, an account-level action that takes no resource (its stream event
    source grants it)."""
    deployment_roles = [
        fn["Properties"]["Role"]["Fn::GetAtt"][0]
        for k, fn in dev.cdk_handlers.items()
        if k.startswith("CustomCDKBucketDeployment")
    ]
    assert len(deployment_roles) == 1
    relay = dev.function("relay_events")
    relay_roles = [{"Ref": relay.properties["Role"]["Fn::GetAtt"][0]}]
    for stack in dev.stacks:
        for policy in stack.of_type("AWS::IAM::Policy").values():
            allowed = XRAY
            if stack is relay.stack and policy["Properties"]["Roles"] == relay_roles:
                allowed = XRAY | {"dynamodb:ListStreams"}
            elif stack is dev.root and policy["Properties"]["Roles"] == [
                {"Ref": role} for role in deployment_roles
            ]:
                allowed = INVALIDATION
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                if "*" in as_list(statement["Resource"]):
                    assert set(as_list(statement["Action"])) <= allowed, statement


def test_stripe_secret_is_readable_only_by_functions_that_need_it(
    dev: Assembly, refs: dict[str, Any]
) -> None:
    readers = {
        f.operation
        for f in dev.functions
        if any(refs["stripe"] in as_list(s["Resource"]) for s in f.statements())
    }
    needing = {r.operation for r in ROUTES if Needs.STRIPE_SECRET in r.needs}
    assert readers == needing | {"billing_worker", "webhook_worker"}
    for stack in dev.stacks:
        assert not stack.of_type("AWS::SecretsManager::ResourcePolicy")
        for policy in stack.of_type("AWS::IAM::Policy").values():
            roles = policy["Properties"]["Roles"]
            statements = stack.resolve(policy["Properties"]["PolicyDocument"]["Statement"])
            if any(refs["stripe"] in as_list(s["Resource"]) for s in statements):
                assert any(
                    {"Ref": f.role_id} in roles and f.operation in readers
                    for f in dev.functions
                    if f.stack is stack
                ), policy


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_route_environment(dev: Assembly, refs: dict[str, Any], route: Route) -> None:
    """Plus the CORS origins (every route) and the portal URL (the portal-session route)."""
    environment = expected_environment(route.needs, refs)
    environment[config.ENV_CORS_ORIGINS] = "*"
    if route.operation in PORTAL_LINK_OPERATIONS:
        distribution_id, _ = dev.only("AWS::CloudFront::Distribution")
        environment[config.ENV_PORTAL_URL] = {
            "Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution_id, "DomainName"]}, "/"]]
        }
    assert dev.function(route.operation).environment() == environment


@pytest.mark.parametrize(
    ("operation", "needs", "consumes"),
    [
        ("billing_scheduler", frozenset({Needs.TABLE_READ, Needs.BILLING_QUEUE}), None),
        ("billing_worker", SETTLE, "billing_queue_arn"),
        ("webhook_worker", SETTLE, "webhook_queue_arn"),
    ],
)
def test_workers_get_exactly_what_settling_needs(
    dev: Assembly,
    refs: dict[str, Any],
    operation: str,
    needs: frozenset[Needs],
    consumes: str | None,
) -> None:
    function = dev.function(operation)
    expected = expected_grants(function, needs, refs)
    if consumes is not None:
        for action in QUEUE_CONSUME:
            expected[action].append(refs[consumes])
    assert canonical(granted(function)) == canonical(expected)
    environment = expected_environment(needs, refs)
    environment[config.ENV_DUNNING_DAYS] = "1,3,5"
    assert function.environment() == environment


def test_the_billing_run_is_scheduled_and_the_workers_read_their_queues(dev: Assembly) -> None:
    workers = next(stack for stack in dev.nested if stack.of_type("AWS::Events::Rule"))
    [rule] = workers.of_type("AWS::Events::Rule").values()
    assert rule["Properties"]["ScheduleExpression"] == "rate(5 minutes)"
    mappings = list(workers.of_type("AWS::Lambda::EventSourceMapping").values())
    assert len(mappings) == 2
    for mapping in mappings:
        assert mapping["Properties"]["BatchSize"] == 10
        assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_queues_keep_failures_in_dead_letter_queues(dev: Assembly) -> None:
    """Six times their consumer's timeout: the delivery worker's is two minutes."""
    queues = dev.root.of_type("AWS::SQS::Queue")
    live = {k: q for k, q in queues.items() if "DeadLetters" not in k}
    assert len(live) == 5
    for logical_id, queue in live.items():
        redrive = queue["Properties"]["RedrivePolicy"]
        assert redrive["maxReceiveCount"] == 5
        timeout = 720 if "WebhookDeliveries" in logical_id else 360
        assert queue["Properties"]["VisibilityTimeout"] == timeout
        assert queue["Properties"]["SqsManagedSseEnabled"] is True


def test_authorizer_environment(dev: Assembly, refs: dict[str, Any]) -> None:
    environment = dev.function(AUTHORIZER).environment()
    assert environment[config.ENV_TABLE_NAME] == refs["table"]
    assert environment[config.ENV_PORTAL_SECRET_ID] == refs["portal"]
    assert config.ENV_STRIPE_SECRET_ID not in environment
