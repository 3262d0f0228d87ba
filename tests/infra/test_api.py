"""The REST API: one method per route, each behind the authorizer and wired to its own function."""

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match

from billfold_lambda import gateway_responses
from billfold_lambda.routes import ROUTES, Access

from billfold import config
from infra import constants
from infra.constants import PUBLIC_OPERATIONS
from tests.infra.assembly import Assembly

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("infra-dev")]


def method_paths(dev: Assembly) -> dict[tuple[str, str], dict[str, Any]]:
    """Every method by (verb, full path), rebuilt from the Resource tree."""
    resources = dev.root.of_type("AWS::ApiGateway::Resource")
    rest_api_id, _ = dev.only("AWS::ApiGateway::RestApi")

    def path_of(resource_ref: Any) -> str:
        if resource_ref == {"Fn::GetAtt": [rest_api_id, "RootResourceId"]}:
            return ""
        resource = resources[resource_ref["Ref"]]["Properties"]
        return f"{path_of(resource['ParentId'])}/{resource['PathPart']}"

    methods = {}
    for method in dev.root.of_type("AWS::ApiGateway::Method").values():
        properties = method["Properties"]
        key = (properties["HttpMethod"], path_of(properties["ResourceId"]))
        assert key not in methods, f"two methods for {key}"
        methods[key] = properties
    return methods


def test_every_route_has_exactly_its_method(dev: Assembly) -> None:
    """Besides the CORS preflight (OPTIONS) methods: see test_portal."""
    methods = {key for key in method_paths(dev) if key[0] != "OPTIONS"}
    assert methods == {(route.method, route.path) for route in ROUTES}


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.operation)
def test_route_method_is_authorized_and_invokes_its_function(dev: Assembly, route: Any) -> None:
    authorizer_id, _ = dev.only("AWS::ApiGateway::Authorizer")
    method = method_paths(dev)[(route.method, route.path)]
    if route.operation in PUBLIC_OPERATIONS:
        assert method["AuthorizationType"] == "NONE"
        assert "AuthorizerId" not in method
    else:
        assert method["AuthorizationType"] == "CUSTOM"
        assert method["AuthorizerId"] == {"Ref": authorizer_id}
    assert method["OperationName"] == route.operation
    integration = method["Integration"]
    assert integration["Type"] == "AWS_PROXY"
    assert integration["IntegrationHttpMethod"] == "POST"
    function = dev.function_behind(integration["Uri"])
    assert function.operation == route.operation
    assert function.stack is not dev.root, "route functions live in nested stacks"


def test_public_operations_are_routes() -> None:
    assert PUBLIC_OPERATIONS.issubset(route.operation for route in ROUTES)


def test_route_functions_are_grouped_by_tag(dev: Assembly) -> None:
    for route in ROUTES:
        tags = {
            dev.function_behind(
                method_paths(dev)[(r.method, r.path)]["Integration"]["Uri"]
            ).stack.resource_id_in_parent
            for r in ROUTES
            if r.tag == route.tag
        }
        assert len(tags) == 1, f"tag {route.tag} spans nested stacks {tags}"
    background = 2  # the billing run and Stripe worker; the event relay, webhooks and emails
    assert len(dev.nested) == len({route.tag for route in ROUTES}) + background


def test_authorizer(dev: Assembly) -> None:
    _, authorizer = dev.only("AWS::ApiGateway::Authorizer")
    properties = authorizer["Properties"]
    assert properties["Type"] == "REQUEST"
    assert properties["IdentitySource"] == "method.request.header.Authorization"
    assert properties["AuthorizerResultTtlInSeconds"] == 300
    assert dev.function_behind(properties["AuthorizerUri"]).operation == "authorizer"


def test_each_function_may_be_invoked_by_its_method_only(dev: Assembly) -> None:
    """One permission per function (no console test-invoke one), scoped to stage/verb/path."""
    for route in ROUTES:
        function = dev.function(route.operation)
        permissions = [
            p["Properties"]
            for p in function.stack.of_type("AWS::Lambda::Permission").values()
            if p["Properties"]["FunctionName"] == {"Fn::GetAtt": [function.logical_id, "Arn"]}
        ]
        assert len(permissions) == 1, route.operation
        (permission,) = permissions
        assert permission["Action"] == "lambda:InvokeFunction"
        assert permission["Principal"] == "apigateway.amazonaws.com"
        source_arn = function.stack.resolve(permission["SourceArn"])["Fn::Join"][1]
        rest_api_id, _ = dev.only("AWS::ApiGateway::RestApi")
        assert {"Ref": rest_api_id} in source_arn
        arn_path = "/".join("*" if part.startswith("{") else part for part in route.path.split("/"))
        assert source_arn[-1] == f"/{dev.stage}/{route.method}{arn_path}"


def test_authorizer_permission_is_scoped_to_the_authorizer(dev: Assembly) -> None:
    authorizer_fn = dev.function("authorizer")
    authorizer_id, _ = dev.only("AWS::ApiGateway::Authorizer")
    (permission,) = [
        p["Properties"]
        for p in dev.root.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == {"Fn::GetAtt": [authorizer_fn.logical_id, "Arn"]}
    ]
    assert permission["SourceArn"]["Fn::Join"][1][-2:] == ["/authorizers/", {"Ref": authorizer_id}]


def test_stage_logs_traces_and_throttles(dev: Assembly) -> None:
    _, stage = dev.only("AWS::ApiGateway::Stage")
    properties = stage["Properties"]
    assert properties["StageName"] == "dev"
    assert properties["TracingEnabled"] is True
    assert properties["MethodSettings"] == [
        {
            "HttpMethod": "*",
            "ResourcePath": "/*",
            "LoggingLevel": "ERROR",
            "DataTraceEnabled": False,
            "MetricsEnabled": True,
            "ThrottlingRateLimit": 100,
            "ThrottlingBurstLimit": 200,
        }
    ]
    access_logs = properties["AccessLogSetting"]
    log_group_id = access_logs["DestinationArn"]["Fn::GetAtt"][0]
    assert dev.root.resources[log_group_id]["Type"] == "AWS::Logs::LogGroup"
    assert dev.root.resources[log_group_id]["Properties"]["RetentionInDays"] == 30
    fields = json.loads(access_logs["Format"])
    assert fields["requestId"] == "$context.requestId"
    assert fields["status"] == "$context.status"


def test_execution_logs_expire(dev: Assembly) -> None:
    """API Gateway's own execution log group exists before the stage, with a retention."""
    rest_api_id, _ = dev.only("AWS::ApiGateway::RestApi")
    _, stage = dev.only("AWS::ApiGateway::Stage")
    (log_group_id,) = [
        k
        for k, r in dev.root.of_type("AWS::Logs::LogGroup").items()
        if r["Properties"].get("LogGroupName")
        == {"Fn::Join": ["", ["API-Gateway-Execution-Logs_", {"Ref": rest_api_id}, "/dev"]]}
    ]
    assert dev.root.resources[log_group_id]["Properties"]["RetentionInDays"] == 30
    assert log_group_id in stage["DependsOn"]


def test_api_gateway_can_write_execution_logs(dev: Assembly) -> None:
    _, account = dev.only("AWS::ApiGateway::Account")
    role_id = account["Properties"]["CloudWatchRoleArn"]["Fn::GetAtt"][0]
    assert dev.root.resources[role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0][
        "Principal"
    ] == {"Service": "apigateway.amazonaws.com"}


@pytest.mark.parametrize(
    "response", gateway_responses.ALL, ids=lambda response: response.response_type
)
def test_gateway_response_has_billfolds_error_shape(
    dev: Assembly, response: gateway_responses.GatewayResponse
) -> None:
    (properties,) = [
        r["Properties"]
        for r in dev.root.of_type("AWS::ApiGateway::GatewayResponse").values()
        if r["Properties"]["ResponseType"] == response.response_type
    ]
    expected_status = None if response.status is None else str(response.status)
    assert properties.get("StatusCode") == expected_status
    body = json.loads(properties["ResponseTemplates"]["application/json"])
    assert body == response.body()
    assert body["error"]["code"] == response.code


def test_outputs(dev: Assembly) -> None:
    table_id, _ = dev.only("AWS::DynamoDB::Table")
    rest_api_id, _ = dev.only("AWS::ApiGateway::RestApi")
    secrets = {
        r["Properties"]["Name"]: {"Ref": k}
        for k, r in dev.root.of_type("AWS::SecretsManager::Secret").items()
    }
    invoice_bucket = next(
        k
        for k, r in dev.root.of_type("AWS::S3::Bucket").items()
        if "LoggingConfiguration" in r["Properties"]
    )
    dev.root.template.has_output("TableName", {"Value": {"Ref": table_id}})
    dev.root.template.has_output("InvoiceBucketName", {"Value": {"Ref": invoice_bucket}})
    dev.root.template.has_output("StripeSecretArn", {"Value": secrets["billfold/dev/stripe"]})
    dev.root.template.has_output(
        "StripeWebhookSecretArn", {"Value": secrets["billfold/dev/stripe-webhook"]}
    )
    dev.root.template.has_output(
        "PortalSigningSecretArn", {"Value": secrets["billfold/dev/portal-signing"]}
    )
    dev.root.template.has_output(
        "ApiUrl",
        {"Value": {"Fn::Join": ["", Match.array_with([{"Ref": rest_api_id}, ".execute-api."])]}},
    )


# --- the usage plan of the publishable routes --------------------------------------------------


def test_api_keys_come_from_the_authorizer_never_from_a_header(dev: Assembly) -> None:
    _, rest_api = dev.only("AWS::ApiGateway::RestApi")

    assert rest_api["Properties"]["ApiKeySourceType"] == "AUTHORIZER"


def test_metered_routes_are_exactly_the_publishable_ones() -> None:
    metered = [(r.method, r.path) for r in ROUTES if r.metered]

    assert metered == [(r.method, r.path) for r in ROUTES if r.access is Access.PUBLISHABLE]
    assert metered == [("GET", "/v1/pricing")]


def test_api_key_is_required_on_exactly_the_metered_routes(dev: Assembly) -> None:
    """Preflights and every other route take no API key: only the usage plan's routes do."""
    required = {
        key for key, method in method_paths(dev).items() if method.get("ApiKeyRequired") is True
    }

    assert required == {(r.method, r.path) for r in ROUTES if r.metered}
    assert ("GET", "/v1/pricing") in required


def test_usage_plan_throttles_the_stage_with_no_quota_a_public_key_could_use_up(
    dev: Assembly,
) -> None:
    rest_api_id, _ = dev.only("AWS::ApiGateway::RestApi")
    stage_id, _ = dev.only("AWS::ApiGateway::Stage")
    _, plan = dev.only("AWS::ApiGateway::UsagePlan")
    properties = plan["Properties"]

    assert properties["Throttle"] == {
        "RateLimit": constants.PUBLISHABLE_RATE_LIMIT,
        "BurstLimit": constants.PUBLISHABLE_BURST_LIMIT,
    }
    assert "Quota" not in properties
    [api_stage] = properties["ApiStages"]
    assert api_stage["ApiId"] == {"Ref": rest_api_id}
    assert api_stage["Stage"] == {"Ref": stage_id}
    assert constants.PUBLISHABLE_RATE_LIMIT < constants.THROTTLE_RATE_LIMIT
    assert constants.PUBLISHABLE_BURST_LIMIT < constants.THROTTLE_BURST_LIMIT


def test_one_enabled_api_key_belongs_to_the_usage_plan(dev: Assembly) -> None:
    key_id, key = dev.only("AWS::ApiGateway::ApiKey")
    plan_id, _ = dev.only("AWS::ApiGateway::UsagePlan")
    _, plan_key = dev.only("AWS::ApiGateway::UsagePlanKey")

    assert key["Properties"]["Enabled"] is True
    assert plan_key["Properties"] == {
        "KeyId": {"Ref": key_id},
        "KeyType": "API_KEY",
        "UsagePlanId": {"Ref": plan_id},
    }
    assert "StageKeys" not in key["Properties"], "the usage plan ties it to the stage"


def test_authorizer_names_the_usage_plans_api_key(dev: Assembly) -> None:
    _, key = dev.only("AWS::ApiGateway::ApiKey")
    value = key["Properties"]["Value"]

    assert dev.function("authorizer").environment()[config.ENV_USAGE_PLAN_KEY] == value
    assert len(value) >= 20, "API Gateway refuses shorter key values"
    assert dev.stage in value
    for function in dev.functions:
        if function.operation != "authorizer":
            assert config.ENV_USAGE_PLAN_KEY not in function.environment(), function.operation
