"""Business figures as CloudWatch metrics, written by the domain where they happen (embedded
metric format: one log line each, no API call). The dashboard and alarms read them by these
names (infra/constructs/monitoring.py)."""

from enum import StrEnum

from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

NAMESPACE = "Billfold"


class Figure(StrEnum):
    """Every figure the domain records."""

    INVOICES_ISSUED = "InvoicesIssued"
    AMOUNT_COLLECTED = "AmountCollected"
    """Minor units, with a `currency` dimension."""
    PAYMENTS_SUCCEEDED = "PaymentsSucceeded"
    PAYMENTS_FAILED = "PaymentsFailed"
    EVENTS_INGESTED = "EventsIngested"
    STRIPE_SIGNATURE_FAILURES = "StripeSignatureFailures"
    WEBHOOK_DELIVERIES_SUCCEEDED = "WebhookDeliveriesSucceeded"
    WEBHOOK_DELIVERIES_FAILED = "WebhookDeliveriesFailed"
    BILLING_LAG_SECONDS = "BillingLagSeconds"
    """How long the longest-waiting due customer has waited, at each billing run."""


def record(figure: Figure, value: float = 1, **dimensions: str) -> None:
    """Record one value of a figure (a count of 1 by default); nothing where Powertools'
    metrics are disabled (the local stack), which `single_metric` itself does not check."""
    if is_metrics_disabled():
        return
    unit = MetricUnit.Seconds if figure is Figure.BILLING_LAG_SECONDS else MetricUnit.Count
    with single_metric(name=figure.value, unit=unit, value=value, namespace=NAMESPACE) as metric:
        for name, dimension in dimensions.items():
            metric.add_dimension(name=name, value=dimension)
