"""The operator's view: alarms into an SNS topic (emailed to `-c alarmEmail=...`) and a
CloudWatch dashboard. docs/runbook.md says, for each alarm, what it means and what to do.

Business figures come from the domain as EMF metrics (`billfold.figures`): namespace
`Billfold`, dimension `service` (and `currency` for amounts).
"""

from collections.abc import Mapping, Sequence

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from billfold.figures import NAMESPACE, Figure
from infra import constants
from infra.constants import StageSettings

MINUTE = Duration.minutes(1)
FIVE_MINUTES = Duration.minutes(5)


def figure(
    name: Figure, statistic: str = "Sum", period: Duration = FIVE_MINUTES
) -> cloudwatch.Metric:
    """One of the domain's figures."""
    return cloudwatch.Metric(
        namespace=NAMESPACE,
        metric_name=name.value,
        dimensions_map={"service": constants.POWERTOOLS_SERVICE_NAME},
        statistic=statistic,
        period=period,
    )


class Monitoring(Construct):
    """Alarms (each into the topic) and the dashboard."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: StageSettings,
        alarm_email: str,
        rest_api: apigateway.RestApi,
        dead_letter_queues: Mapping[str, sqs.IQueue],
        function_groups: Mapping[str, Sequence[lambda_.IFunction]],
        entitlement_check: lambda_.IFunction,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self,
            "Alarms",
            display_name=f"billfold {settings.name} alarms",
            enforce_ssl=True,
        )
        if alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        for name, queue in dead_letter_queues.items():
            self._alarm(
                f"DeadLetters{name}",
                f"Messages in the {name} dead-letter queue: work that kept failing",
                queue.metric_approximate_number_of_messages_visible(
                    period=MINUTE, statistic="Maximum"
                ),
                threshold=1,
            )
        self._api_alarms(rest_api)
        for group, functions in function_groups.items():
            self._function_alarms(group, functions)
        self._business_alarms()
        self.dashboard = self._dashboard(rest_api, entitlement_check)

    def _alarm(
        self,
        alarm_id: str,
        description: str,
        metric: cloudwatch.IMetric,
        *,
        threshold: float,
        periods: int = 1,
    ) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            alarm_id,
            alarm_description=description,
            metric=metric,
            threshold=threshold,
            evaluation_periods=periods,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.alarms[alarm_id] = alarm
        return alarm

    def _api_alarms(self, rest_api: apigateway.RestApi) -> None:
        rate = cloudwatch.MathExpression(
            expression="IF(requests > 0, 100 * errors / requests, 0)",
            using_metrics={
                "errors": rest_api.metric_server_error(period=FIVE_MINUTES, statistic="Sum"),
                "requests": rest_api.metric_count(period=FIVE_MINUTES, statistic="Sum"),
            },
            label="5xx %",
            period=FIVE_MINUTES,
        )
        self._alarm(
            "Api5xxRate",
            f"Over {constants.API_5XX_PERCENT} % of API requests failed with a 5xx",
            rate,
            threshold=constants.API_5XX_PERCENT,
        )

    def _function_alarms(self, group: str, functions: Sequence[lambda_.IFunction]) -> None:
        """Errors and throttles of a group of functions, summed, in alarms of at most ten."""
        size = constants.ALARM_GROUP_SIZE
        chunks = [functions[start : start + size] for start in range(0, len(functions), size)]
        for number, chunk in enumerate(chunks, start=1):
            suffix = constants.construct_id(group) + (str(number) if len(chunks) > 1 else "")
            for kind in ("Errors", "Throttles"):
                metrics = {
                    f"f{index}": function.metric(kind, period=FIVE_MINUTES, statistic="Sum")
                    for index, function in enumerate(chunk)
                }
                total = cloudwatch.MathExpression(
                    expression=f"SUM([{','.join(metrics)}])",
                    using_metrics=metrics,
                    label=f"{kind} ({group})",
                    period=FIVE_MINUTES,
                )
                self._alarm(
                    f"{kind}{suffix}",
                    f"Lambda {kind.lower()} in the {group} functions",
                    total,
                    threshold=1,
                )

    def _business_alarms(self) -> None:
        self._alarm(
            "BillingLag",
            "A customer with billing work due has waited over an hour to be settled",
            figure(Figure.BILLING_LAG_SECONDS, "Maximum"),
            threshold=constants.BILLING_LAG_SECONDS,
            periods=2,
        )
        self._alarm(
            "WebhookDeliveriesFailing",
            "Webhook deliveries to the seller's endpoints are failing",
            figure(Figure.WEBHOOK_DELIVERIES_FAILED, period=Duration.minutes(15)),
            threshold=constants.WEBHOOK_FAILURES,
        )
        failure_rate = cloudwatch.MathExpression(
            expression="IF(failed + succeeded >= 5, 100 * failed / (failed + succeeded), 0)",
            using_metrics={
                "failed": figure(Figure.PAYMENTS_FAILED, period=Duration.hours(1)),
                "succeeded": figure(Figure.PAYMENTS_SUCCEEDED, period=Duration.hours(1)),
            },
            label="failed charges %",
            period=Duration.hours(1),
        )
        self._alarm(
            "PaymentFailureRate",
            f"Over {constants.PAYMENT_FAILURE_PERCENT} % of charges failed in an hour",
            failure_rate,
            threshold=constants.PAYMENT_FAILURE_PERCENT,
        )
        self._alarm(
            "StripeSignatureFailures",
            "Stripe webhooks failing their signature: an attack, or a rotated secret",
            figure(Figure.STRIPE_SIGNATURE_FAILURES),
            threshold=constants.SIGNATURE_FAILURES,
        )

    def _dashboard(
        self, rest_api: apigateway.RestApi, check: lambda_.IFunction
    ) -> cloudwatch.Dashboard:
        dashboard = cloudwatch.Dashboard(self, "Dashboard")
        collected = cloudwatch.MathExpression(
            expression=(
                f"SEARCH('{{{NAMESPACE},currency,service}} "
                f"MetricName=\"{Figure.AMOUNT_COLLECTED.value}\"', 'Sum', 86400)"
            ),
            label="",
            period=Duration.days(1),
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Entitlement checks",
                left=[check.metric_invocations(period=MINUTE, statistic="Sum")],
                right=[
                    check.metric_duration(period=MINUTE, statistic="p50"),
                    check.metric_duration(period=MINUTE, statistic="p99"),
                ],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="API requests and 5xx",
                left=[rest_api.metric_count(period=MINUTE, statistic="Sum")],
                right=[rest_api.metric_server_error(period=MINUTE, statistic="Sum")],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Usage events ingested",
                left=[figure(Figure.EVENTS_INGESTED, period=MINUTE)],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Invoices issued",
                left=[figure(Figure.INVOICES_ISSUED, period=Duration.hours(1))],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Amount collected per day (minor units, per currency)",
                left=[collected],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Charges and webhooks",
                left=[
                    figure(Figure.PAYMENTS_SUCCEEDED),
                    figure(Figure.PAYMENTS_FAILED),
                ],
                right=[
                    figure(Figure.WEBHOOK_DELIVERIES_SUCCEEDED),
                    figure(Figure.WEBHOOK_DELIVERIES_FAILED),
                ],
                width=12,
            ),
            cloudwatch.AlarmStatusWidget(
                title="Alarms", alarms=list(self.alarms.values()), width=12
            ),
        )
        return dashboard
