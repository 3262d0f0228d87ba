"""The root stack of one stage: state, secrets, layers, the API and its authorizer, the customer
portal at the root; route functions in one nested stack per route tag."""

from collections.abc import Sequence
from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from billfold_lambda.routes import BACKGROUND_FUNCTIONS, ROUTES, Route

from billfold import config
from billfold.events import routing
from billfold.storage import keys
from infra import constants
from infra.constants import StageSettings
from infra.constructs import functions
from infra.constructs.api import Api
from infra.constructs.data import Data
from infra.constructs.events import Events, bus_rules
from infra.constructs.functions import FunctionGroup, Grantables, ServiceFunction
from infra.constructs.layers import Layers
from infra.constructs.monitoring import Monitoring
from infra.constructs.portal import Portal, PortalDomain
from infra.constructs.queues import Queues
from infra.constructs.secrets import Secrets
from infra.constructs.workers import Workers
from infra.layers import LayerDirs
from infra.portal_policy import STRIPE_JS_URL


def routes_by_tag(routes: Sequence[Route]) -> dict[str, list[Route]]:
    """Routes grouped by tag, in the order tags first appear."""
    groups: dict[str, list[Route]] = {}
    for route in routes:
        groups.setdefault(route.tag, []).append(route)
    return groups


class BillfoldStack(Stack):
    """Everything one stage of billfold needs."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: StageSettings,
        layer_dirs: LayerDirs,
        routes: Sequence[Route] = ROUTES,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"billfold ({settings.name}): subscription billing and entitlements",
            termination_protection=settings.protected,
            **kwargs,
        )
        missing = functions.missing_handlers(
            [*BACKGROUND_FUNCTIONS, *(route.operation for route in routes)]
        )
        if missing:
            raise FileNotFoundError(
                f"no {constants.FUNCTIONS_DIR.name}/<operation>/{constants.HANDLER_FILE} for: "
                + ", ".join(missing)
            )

        data = Data(self, "Data", settings=settings)
        secrets = Secrets(self, "Secrets", settings=settings)
        layers = Layers(self, "Layers", dirs=layer_dirs)
        queues = Queues(self, "Queues")
        bus = events.EventBus(self, "EventBus", event_bus_name=f"billfold-{settings.name}")
        bus.archive(
            "Archive",
            description="Every billfold event, for replays",
            event_pattern=events.EventPattern(source=[routing.SOURCE]),
            retention=constants.EVENT_ARCHIVE_RETENTION,
        )
        bus_rules(self, bus, queues.fan_out, queues.emails)
        email_from = self._context(constants.CONTEXT_EMAIL_FROM, "") or self._context(
            constants.CONTEXT_SELLER_EMAIL, "billing@example.com"
        )
        grantables = Grantables(
            table=data.table,
            index_arns=data.index_arns,
            stripe_secret=secrets.stripe,
            webhook_secret=secrets.stripe_webhook,
            portal_secret=secrets.portal_signing,
            invoice_bucket=data.invoice_bucket,
            billing_queue=queues.billing,
            webhook_queue=queues.webhooks,
            event_bus=bus,
            delivery_queue=queues.deliveries,
            email_identity_arns=[
                self.format_arn(service="ses", resource="identity", resource_name=identity)
                for identity in (email_from, email_from.rpartition("@")[2])
            ],
        )
        workers = Workers(
            self, "Workers", grantables=grantables, layers=layers.all, settings=settings
        )

        authorizer = self._authorizer(settings, data, secrets, layers)
        cors_origins = config.cors_origins(
            {config.ENV_CORS_ORIGINS: self._context(constants.CONTEXT_CORS_ORIGINS, "*")}
        )
        api = Api(
            self,
            "Api",
            settings=settings,
            authorizer_handler=authorizer.function,
            cors_origins=cors_origins,
        )
        authorizer.function.add_environment(config.ENV_USAGE_PLAN_KEY, api.usage_plan_key)
        portal = Portal(
            self,
            "Portal",
            settings=settings,
            rest_api=api.rest_api,
            access_log_bucket=data.access_log_bucket,
            stripe_js_url=self._context(constants.CONTEXT_STRIPE_JS_URL, STRIPE_JS_URL),
            domain=self._portal_domain(),
        )
        portal_url = self._context(constants.CONTEXT_PORTAL_URL, portal.url)
        customer_limits = self._context(constants.CONTEXT_CUSTOMER_SPEND_LIMITS, "") == "true"
        event_functions = Events(
            self,
            "Events",
            grantables=grantables,
            layers=layers.all,
            settings=settings,
            fan_out_queue=queues.fan_out,
            email_queue=queues.emails,
            relay_failures=queues.relay_failures,
            email_environment=self._email_environment(email_from, api.rest_api.url),
        )
        function_groups: dict[str, list[lambda_.IFunction]] = {
            "authorizer": [authorizer.function],
            "billing-run": [workers.scheduler.function, workers.billing.function],
            "stripe-events": [workers.webhooks.function],
            "event-workers": [f.function for f in event_functions.functions.values()],
        }
        route_functions: dict[str, ServiceFunction] = {}
        for tag, tag_routes in routes_by_tag(routes).items():
            group = FunctionGroup(
                self,
                f"{constants.construct_id(tag)}Functions",
                tag=tag,
                routes=tag_routes,
                grantables=grantables,
                layers=layers.all,
                rest_api=api.rest_api,
                api_stage=api.stage_name,
                settings=settings,
            )
            for route in tag_routes:
                service_function = group.functions[route.operation]
                function = service_function.function
                function.add_environment(config.ENV_CORS_ORIGINS, ",".join(cors_origins))
                if route.operation in constants.PORTAL_LINK_OPERATIONS:
                    function.add_environment(config.ENV_PORTAL_URL, portal_url)
                if route.operation == constants.SPEND_LIMIT_OPERATION and customer_limits:
                    function.add_environment(config.ENV_CUSTOMER_SPEND_LIMITS, "true")
                api.add_route(route, service_function.target)
            function_groups[tag] = [f.function for f in group.functions.values()]
            route_functions.update(group.functions)
        monitoring = Monitoring(
            self,
            "Monitoring",
            settings=settings,
            alarm_email=self._context(constants.CONTEXT_ALARM_EMAIL, ""),
            rest_api=api.rest_api,
            dead_letter_queues=queues.dead_letter_queues,
            function_groups=function_groups,
            entitlement_check=route_functions[constants.ENTITLEMENT_CHECK].function,
        )

        outputs = {
            "ApiUrl": api.rest_api.url,
            "PortalUrl": portal.url,
            "TableName": data.table.table_name,
            "InvoiceBucketName": data.invoice_bucket.bucket_name,
            "StripeSecretArn": secrets.stripe.secret_arn,
            "StripeWebhookSecretArn": secrets.stripe_webhook.secret_arn,
            "PortalSigningSecretArn": secrets.portal_signing.secret_arn,
            "EventBusName": bus.event_bus_name,
            "EventBusArn": bus.event_bus_arn,
            "AlarmTopicArn": monitoring.topic.topic_arn,
            **{
                f"{name}DeadLetterQueueUrl": queue.queue_url
                for name, queue in queues.dead_letter_queues.items()
            },
        }
        for name, value in outputs.items():
            CfnOutput(self, name, value=value)
        direct = self._direct_entitlements_policy(data)
        CfnOutput(
            self,
            "DirectEntitlementsPolicyArn",
            value=direct.managed_policy_arn,
            export_name=f"{self.stack_name}-DirectEntitlementsPolicyArn",
        )

    def _direct_entitlements_policy(self, data: Data) -> iam.ManagedPolicy:
        """What the SDK's direct mode needs, for an app's role in this account: read a
        customer's entitlements and usage (one Query; a consume also reads its counter and
        idempotency record in one batch) and consume usage (one conditional transaction of the
        counter and its idempotency record), in customer partitions only."""
        return iam.ManagedPolicy(
            self,
            "DirectEntitlementsPolicy",
            description="billfold SDK direct mode: check entitlements and consume usage",
            statements=[
                iam.PolicyStatement(
                    actions=list(constants.DIRECT_ACCESS_ACTIONS),
                    resources=[data.table.table_arn],
                    conditions={
                        "ForAllValues:StringLike": {
                            "dynamodb:LeadingKeys": [keys.customer_partition("*")]
                        }
                    },
                )
            ],
        )

    def _portal_domain(self) -> PortalDomain | None:
        """The portal's own host name and certificate, if the context names both.

        Raises ValueError when it names only one of them.
        """
        name = self._context(constants.CONTEXT_PORTAL_DOMAIN, "")
        certificate = self._context(constants.CONTEXT_PORTAL_CERTIFICATE_ARN, "")
        if bool(name) != bool(certificate):
            raise ValueError(
                f"give -c {constants.CONTEXT_PORTAL_DOMAIN}=... and "
                f"-c {constants.CONTEXT_PORTAL_CERTIFICATE_ARN}=... together"
            )
        return PortalDomain(name, certificate) if name else None

    def _email_environment(self, email_from: str, api_url: str) -> dict[str, str]:
        """What the email sender needs: the API's URL (its links open through it), the sender
        and the branding (each from its context value, when given)."""
        environment = {config.ENV_API_URL: api_url, config.ENV_EMAIL_FROM: email_from}
        for key, name in (
            (constants.CONTEXT_EMAIL_REPLY_TO, config.ENV_EMAIL_REPLY_TO),
            (constants.CONTEXT_BRAND_NAME, config.ENV_BRAND_NAME),
            (constants.CONTEXT_BRAND_LOGO_URL, config.ENV_BRAND_LOGO_URL),
            (constants.CONTEXT_BRAND_ACCENT, config.ENV_BRAND_ACCENT),
            (constants.CONTEXT_EMAILS, config.ENV_EMAILS),
            (constants.CONTEXT_SELLER_NAME, config.ENV_SELLER_NAME),
        ):
            value = self._context(key, "")
            if value:
                environment[name] = value
        return environment

    def _context(self, key: str, default: str) -> str:
        """A string context value (`-c key=value`), or `default` when it is absent or empty."""
        value = self.node.try_get_context(key)
        return str(value) if value else default

    def _authorizer(
        self, settings: StageSettings, data: Data, secrets: Secrets, layers: Layers
    ) -> ServiceFunction:
        """The REQUEST authorizer's function: reads credentials from the table, verifies portal
        tokens with the portal signing key."""
        environment = functions.common_environment(settings, data.table)
        environment[config.ENV_PORTAL_SECRET_ID] = secrets.portal_signing.secret_arn
        return ServiceFunction(
            self,
            "Authorizer",
            operation=constants.AUTHORIZER_OPERATION,
            description="API Gateway REQUEST authorizer: server API keys and portal tokens",
            environment=environment,
            statements=[
                functions.statement(["dynamodb:GetItem"], [data.table.table_arn]),
                functions.statement(
                    functions.SECRET_READ_ACTIONS, [secrets.portal_signing.secret_arn]
                ),
            ],
            layers=layers.all,
            settings=settings,
        )
