"""The REST API: one stage, a REQUEST Lambda authorizer, one method per route."""

import json
from collections.abc import Sequence

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from billfold_lambda import cors, gateway_responses
from billfold_lambda.routes import Route

from infra import constants
from infra.constants import StageSettings
from infra.constructs import nag

ACCESS_LOG_FORMAT = apigateway.AccessLogFormat.custom(
    json.dumps(
        {
            "requestId": apigateway.AccessLogField.context_request_id(),
            "extendedRequestId": apigateway.AccessLogField.context_extended_request_id(),
            "requestTime": apigateway.AccessLogField.context_request_time(),
            "ip": apigateway.AccessLogField.context_identity_source_ip(),
            "httpMethod": apigateway.AccessLogField.context_http_method(),
            "resourcePath": apigateway.AccessLogField.context_resource_path(),
            "path": apigateway.AccessLogField.context_path(),
            "protocol": apigateway.AccessLogField.context_protocol(),
            "status": apigateway.AccessLogField.context_status(),
            "responseLength": apigateway.AccessLogField.context_response_length(),
            "responseLatency": apigateway.AccessLogField.context_response_latency(),
            "integrationLatency": apigateway.AccessLogField.context_integration_latency(),
            "integrationStatus": apigateway.AccessLogField.context_integration_status(),
            "errorType": apigateway.AccessLogField.context_error_response_type(),
            "errorMessage": apigateway.AccessLogField.context_error_message(),
            "authorizerError": apigateway.AccessLogField.context_authorizer_error(),
            "xrayTraceId": apigateway.AccessLogField.context_xray_trace_id(),
        }
    )
)
"""One JSON object per request."""


def lambda_proxy(handler: lambda_.IFunction) -> apigateway.Integration:
    """LambdaIntegration's proxy integration, minus the invoke permission it would add to the
    method's (root) stack: the function's nested stack grants it (see `FunctionGroup`)."""
    return apigateway.AwsIntegration(
        proxy=True,
        service="lambda",
        path=f"2015-03-31/functions/{handler.function_arn}/invocations",
    )


def preflight(origins: Sequence[str]) -> apigateway.CorsOptions:
    """API Gateway's own answer to CORS preflights (a mock OPTIONS method on every resource),
    with `billfold_lambda.cors`'s policy."""
    return apigateway.CorsOptions(
        allow_origins=list(origins),
        allow_headers=list(cors.ALLOW_HEADERS),
        allow_methods=list(cors.ALLOW_METHODS),
        max_age=Duration.seconds(cors.MAX_AGE_SECONDS),
    )


class Api(Construct):
    """The RestApi with its stage, logging, throttling, CORS preflight, gateway responses and
    authorizer. `cors_origins`: the origins whose pages may call it (`*`: any)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: StageSettings,
        authorizer_handler: lambda_.IFunction,
        cors_origins: Sequence[str],
    ) -> None:
        super().__init__(scope, construct_id)
        self.stage_name = settings.name
        self.cors_origins = tuple(cors_origins)
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=settings.log_retention,
            removal_policy=settings.removal_policy,
        )
        self.rest_api = apigateway.RestApi(
            self,
            "RestApi",
            rest_api_name=f"{constants.APP_NAME}-{settings.name}",
            description=f"billfold {settings.name}: subscription billing API",
            endpoint_types=[apigateway.EndpointType.REGIONAL],
            api_key_source_type=apigateway.ApiKeySourceType.AUTHORIZER,
            cloud_watch_role=True,
            default_cors_preflight_options=preflight(self.cors_origins),
            deploy_options=apigateway.StageOptions(
                stage_name=self.stage_name,
                access_log_destination=apigateway.LogGroupLogDestination(access_logs),
                access_log_format=ACCESS_LOG_FORMAT,
                logging_level=apigateway.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,
                tracing_enabled=True,
                metrics_enabled=True,
                throttling_rate_limit=constants.THROTTLE_RATE_LIMIT,
                throttling_burst_limit=constants.THROTTLE_BURST_LIMIT,
            ),
        )
        self.rest_api.node.try_remove_child("Endpoint")  # the stack outputs the URL as ApiUrl
        # API Gateway would create the execution log group itself, never expiring: own it first.
        execution_log_group = f"API-Gateway-Execution-Logs_{self.rest_api.rest_api_id}"
        execution_logs = logs.LogGroup(
            self,
            "ExecutionLogs",
            log_group_name=f"{execution_log_group}/{self.stage_name}",
            retention=settings.log_retention,
            removal_policy=settings.removal_policy,
        )
        self.rest_api.deployment_stage.node.add_dependency(execution_logs)
        nag.acknowledge(self.rest_api, nag.API_REQUEST_VALIDATION, nag.API_WAF, nag.API_COGNITO)
        nag.acknowledge(self.rest_api.node.find_child("CloudWatchRole"), nag.API_CLOUDWATCH_ROLE)
        for response in gateway_responses.ALL:
            self.rest_api.add_gateway_response(
                constants.construct_id(response.response_type),
                type=apigateway.ResponseType.of(response.response_type),
                status_code=None if response.status is None else str(response.status),
                templates={"application/json": json.dumps(response.body())},
                response_headers={
                    name: f"'{value}'" for name, value in gateway_responses.HEADERS.items()
                },
            )
        self.usage_plan_key = self._publishable_usage_plan()
        self._authorizer_handler = authorizer_handler
        self._authorizer: apigateway.RequestAuthorizer | None = None
        self._preflights: set[str] = set()
        """Paths of the resources whose preflight method is acknowledged to cdk-nag."""

    def _publishable_usage_plan(self) -> str:
        """The usage plan that throttles the publishable routes, and the value of its API key.

        The key is not a secret: with the authorizer as the key source, API Gateway takes it
        only from the authorizer's answer (`usageIdentifierKey`), never from a request header.
        """
        value = f"{constants.APP_NAME}-{self.stage_name}-publishable-usage"
        key = apigateway.ApiKey(
            self, "PublishableUsageKey", api_key_name=value, value=value, enabled=True
        )
        plan = self.rest_api.add_usage_plan(
            "PublishableUsagePlan",
            name=value,
            description="publishable keys (bf_pk_): the public pricing routes",
            throttle=apigateway.ThrottleSettings(
                rate_limit=constants.PUBLISHABLE_RATE_LIMIT,
                burst_limit=constants.PUBLISHABLE_BURST_LIMIT,
            ),
        )
        plan.add_api_key(key)
        plan.add_api_stage(stage=self.rest_api.deployment_stage)
        return value

    def _acknowledge_preflights(self, resource: apigateway.IResource) -> None:
        """Accept APIG4 on the CORS preflight (OPTIONS) methods of `resource` and its ancestors:
        API Gateway adds one to every resource, unauthenticated by design."""
        current: apigateway.IResource | None = resource
        while current is not None and current.node.path not in self._preflights:
            self._preflights.add(current.node.path)
            method = current.node.try_find_child("OPTIONS")
            if method is None:
                raise LookupError(f"no CORS preflight method on {current.path}")
            nag.acknowledge(method, nag.CORS_PREFLIGHT_AUTH)
            current = current.parent_resource

    @property
    def authorizer(self) -> apigateway.RequestAuthorizer:
        """The REQUEST authorizer, created with the first authenticated route (CDK refuses an
        authorizer that no method uses)."""
        if self._authorizer is None:
            self._authorizer = apigateway.RequestAuthorizer(
                self,
                "Authorizer",
                handler=self._authorizer_handler,
                identity_sources=[apigateway.IdentitySource.header(constants.AUTHORIZATION_HEADER)],
                results_cache_ttl=constants.AUTHORIZER_CACHE_TTL,
            )
        return self._authorizer

    def add_route(self, route: Route, handler: lambda_.IFunction) -> apigateway.Method:
        """The route's method, behind the authorizer unless it is in PUBLIC_OPERATIONS."""
        resource = self.rest_api.root.resource_for_path(route.path)
        self._acknowledge_preflights(resource)
        if route.operation in constants.PUBLIC_OPERATIONS:
            method = resource.add_method(
                route.method,
                lambda_proxy(handler),
                operation_name=route.operation,
                authorization_type=apigateway.AuthorizationType.NONE,
            )
            nag.acknowledge(method, nag.PUBLIC_ROUTE_AUTH)
            return method
        return resource.add_method(
            route.method,
            lambda_proxy(handler),
            operation_name=route.operation,
            authorizer=self.authorizer,
            authorization_type=apigateway.AuthorizationType.CUSTOM,
            api_key_required=route.metered,
        )
