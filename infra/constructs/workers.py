"""The functions no route calls: the scheduled billing run and the two queue workers.

EventBridge runs `billing_scheduler` every few minutes; it queues each customer with work due.
`billing_worker` settles each queued customer (transitions, invoices, charges);
`webhook_worker` processes verified Stripe events. Both report failures per message, so SQS
retries only those (and parks them in the dead-letter queue after the last try).
"""

from aws_cdk import NestedStack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from billfold_lambda.routes import Needs

from billfold import config
from infra import constants
from infra.constants import StageSettings
from infra.constructs.functions import Grantables, ServiceFunction, background_function, consume

SETTLE = frozenset({Needs.TABLE_READ, Needs.TABLE_WRITE, Needs.STRIPE_SECRET, Needs.INVOICE_BUCKET})


class Workers(NestedStack):
    """The billing run's scheduler and worker, and the webhook worker."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        grantables: Grantables,
        layers: list[lambda_.ILayerVersion],
        settings: StageSettings,
    ) -> None:
        super().__init__(scope, construct_id, description=f"billfold {settings.name}: workers")
        self._grantables = grantables
        self._layers = layers
        self._settings = settings

        self.scheduler = self._function(
            "billing_scheduler",
            "Scheduled billing run: queue every customer with work due",
            frozenset({Needs.TABLE_READ, Needs.BILLING_QUEUE}),
        )
        events.Rule(
            self,
            "BillingRun",
            description="billfold's scheduled billing run",
            schedule=events.Schedule.rate(constants.BILLING_RUN_EVERY),
            targets=[targets.LambdaFunction(self.scheduler.function)],
        )
        self.billing = self._function(
            "billing_worker", "Settle one customer: transitions, invoices, charges", SETTLE
        )
        consume(self.billing, grantables.billing_queue)
        self.webhooks = self._function("webhook_worker", "Process verified Stripe events", SETTLE)
        consume(self.webhooks, grantables.webhook_queue)

    def _function(
        self, operation: str, description: str, needs: frozenset[Needs]
    ) -> ServiceFunction:
        return background_function(
            self,
            operation,
            description,
            needs,
            grantables=self._grantables,
            layers=self._layers,
            settings=self._settings,
            environment={config.ENV_DUNNING_DAYS: ",".join(map(str, constants.DUNNING_DAYS))},
        )
