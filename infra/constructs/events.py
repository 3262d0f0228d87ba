"""Billing events: the relay from the table's stream to the EventBridge bus (with its archive,
for replays), the webhook fan-out, delivery and retry sweep, and the email sender.

The seller's own app subscribes with a rule on the bus (see the README); billfold's webhook
fan-out and emails are two such rules, each into its own queue.
"""

from aws_cdk import Duration, NestedStack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from billfold_lambda.routes import Needs

from billfold.events import routing
from infra import constants
from infra.constants import StageSettings
from infra.constructs.functions import Grantables, ServiceFunction, background_function, consume

_TABLE = frozenset({Needs.TABLE_READ, Needs.TABLE_WRITE})


class Events(NestedStack):
    """The relay, the webhook functions and the email sender."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        grantables: Grantables,
        layers: list[lambda_.ILayerVersion],
        settings: StageSettings,
        fan_out_queue: sqs.IQueue,
        email_queue: sqs.IQueue,
        relay_failures: sqs.IQueue,
        email_environment: dict[str, str],
    ) -> None:
        super().__init__(scope, construct_id, description=f"billfold {settings.name}: events")
        self._grantables = grantables
        self._layers = layers
        self._settings = settings
        self.functions: dict[str, ServiceFunction] = {}

        relay = self._function(
            "relay_events",
            "Publish outbox events on the bus, with their sequence; record usage thresholds",
            _TABLE | {Needs.EVENT_BUS},
        )
        table = grantables.table  # its stream event source grants the stream's reads
        relay.function.add_event_source(
            sources.DynamoEventSource(
                table,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=constants.RELAY_BATCH_SIZE,
                bisect_batch_on_error=True,
                retry_attempts=constants.RELAY_RETRIES,
                report_batch_item_failures=True,
                on_failure=sources.SqsDlq(relay_failures),
                filters=[
                    lambda_.FilterCriteria.filter(pattern) for pattern in routing.RELAYED_RECORDS
                ],
            )
        )

        fan_out = self._function(
            "fan_out_webhooks",
            "Record a delivery of each event to every endpoint that wants it",
            _TABLE | {Needs.DELIVERY_QUEUE},
        )
        consume(fan_out, fan_out_queue)
        deliver = self._function(
            "deliver_webhooks",
            "Attempt webhook deliveries: signed, 10-second timeout, retried with backoff",
            _TABLE,
            timeout=constants.DELIVERY_TIMEOUT,
        )
        consume(deliver, grantables.delivery_queue, constants.DELIVERY_BATCH_SIZE)
        retry = self._function(
            "retry_webhooks",
            "Queue the webhook deliveries whose retry is due",
            frozenset({Needs.TABLE_READ, Needs.DELIVERY_QUEUE}),
        )
        events.Rule(
            self,
            "WebhookRetries",
            description="billfold's webhook retry sweep",
            schedule=events.Schedule.rate(constants.WEBHOOK_RETRY_EVERY),
            targets=[targets.LambdaFunction(retry.function)],
        )
        emails = self._function(
            "send_emails",
            "Email the customer about invoices, payments, trials, cards and cancellations",
            frozenset({Needs.TABLE_READ, Needs.TABLE_WRITE, Needs.PORTAL_SECRET, Needs.SEND_EMAIL}),
        )
        for name, value in email_environment.items():
            emails.function.add_environment(name, value)
        consume(emails, email_queue)

    def _function(
        self,
        operation: str,
        description: str,
        needs: frozenset[Needs],
        timeout: Duration = constants.WORKER_TIMEOUT,
    ) -> ServiceFunction:
        function = background_function(
            self,
            operation,
            description,
            needs,
            grantables=self._grantables,
            layers=self._layers,
            settings=self._settings,
            timeout=timeout,
        )
        self.functions[operation] = function
        return function


def bus_rules(
    scope: Construct,
    bus: events.IEventBus,
    fan_out_queue: sqs.IQueue,
    email_queue: sqs.IQueue,
) -> None:
    """The bus's rules into billfold's own queues: every event to the webhook fan-out, the
    events that may email the customer to the email sender."""
    for rule_id, pattern, queue in (
        ("WebhookFanOut", routing.EVERY_EVENT, fan_out_queue),
        ("Emails", routing.EMAILED_EVENTS, email_queue),
    ):
        events.Rule(
            scope,
            f"{rule_id}Rule",
            event_bus=bus,
            description=f"billfold events into the {rule_id} queue",
            event_pattern=events.EventPattern(
                source=pattern["source"], detail_type=pattern.get("detail-type")
            ),
            targets=[targets.SqsQueue(queue)],
        )
