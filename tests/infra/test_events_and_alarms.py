"""Events, webhooks, emails and the operator's alarms in the synthesized template."""

import json
from typing import Any

import pytest

from billfold.events import routing
from billfold.figures import Figure
from tests.infra.assembly import Assembly
from tests.infra.conftest import synthesize

pytestmark = [pytest.mark.slow]
dev_group = pytest.mark.xdist_group("infra-dev")


def _alarms(dev: Assembly) -> dict[str, dict[str, Any]]:
    return dev.root.of_type("AWS::CloudWatch::Alarm")


def _metric_names(alarm: dict[str, Any]) -> set[str]:
    properties = alarm["Properties"]
    if "MetricName" in properties:
        return {properties["MetricName"]}
    return {
        query["MetricStat"]["Metric"]["MetricName"]
        for query in properties.get("Metrics", [])
        if "MetricStat" in query
    }


@dev_group
def test_the_table_streams_new_and_old_images(dev: Assembly) -> None:
    _, table = dev.only("AWS::DynamoDB::Table")

    assert table["Properties"]["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}


@dev_group
def test_the_relay_reads_only_outbox_events_and_counters_and_parks_what_fails(
    dev: Assembly,
) -> None:
    relay = dev.function("relay_events")
    [mapping] = [
        m
        for m in relay.stack.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": relay.logical_id}
    ]
    properties = mapping["Properties"]
    patterns = [json.loads(f["Pattern"]) for f in properties["FilterCriteria"]["Filters"]]

    assert patterns == [json.loads(json.dumps(p)) for p in routing.RELAYED_RECORDS]
    assert properties["StartingPosition"] == "TRIM_HORIZON"
    assert properties["BisectBatchOnFunctionError"] is True
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert properties["MaximumRetryAttempts"] == 20
    assert "OnFailure" in properties["DestinationConfig"]


@dev_group
def test_the_bus_has_an_archive_and_rules_into_the_fan_out_and_email_queues(
    dev: Assembly,
) -> None:
    [bus] = dev.root.of_type("AWS::Events::EventBus").values()
    [archive] = dev.root.of_type("AWS::Events::Archive").values()
    rules = [
        rule
        for rule in dev.root.of_type("AWS::Events::Rule").values()
        if "EventPattern" in rule["Properties"]
    ]

    assert bus["Properties"]["Name"] == "billfold-dev"
    assert archive["Properties"]["RetentionDays"] == 90
    assert archive["Properties"]["EventPattern"] == {"source": ["billfold"]}
    patterns = sorted(json.dumps(r["Properties"]["EventPattern"], sort_keys=True) for r in rules)
    expected = sorted(
        json.dumps(p, sort_keys=True) for p in (routing.EVERY_EVENT, routing.EMAILED_EVENTS)
    )
    assert patterns == expected


@dev_group
def test_the_webhook_retry_sweep_runs_every_minute(dev: Assembly) -> None:
    retry = dev.function("retry_webhooks")
    schedules = [
        rule["Properties"]["ScheduleExpression"]
        for rule in retry.stack.of_type("AWS::Events::Rule").values()
    ]

    assert schedules == ["rate(1 minute)"]


@dev_group
def test_emails_are_sent_only_as_the_configured_identity(dev: Assembly) -> None:
    statements = [
        s for s in dev.function("send_emails").statements() if "ses:SendRawEmail" in str(s)
    ]

    [statement] = statements
    resources = json.dumps(statement["Resource"])
    assert "identity/billing@example.com" in resources
    assert "identity/example.com" in resources
    others = [f.operation for f in dev.functions if "ses:" in json.dumps(f.statements())]
    assert others == ["send_emails"]


@dev_group
def test_every_dead_letter_queue_has_an_alarm(dev: Assembly) -> None:
    dead = [k for k in dev.root.of_type("AWS::SQS::Queue") if "DeadLetters" in k]
    watched = {
        alarm["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for alarm in _alarms(dev).values()
        if alarm["Properties"].get("MetricName") == "ApproximateNumberOfMessagesVisible"
    }

    assert len(dead) == 6
    assert set(dead) == watched


@dev_group
def test_the_business_alarms_read_the_domains_figures(dev: Assembly) -> None:
    read = set().union(*(_metric_names(alarm) for alarm in _alarms(dev).values()))

    assert {
        Figure.BILLING_LAG_SECONDS,
        Figure.WEBHOOK_DELIVERIES_FAILED,
        Figure.PAYMENTS_FAILED,
        Figure.PAYMENTS_SUCCEEDED,
        Figure.STRIPE_SIGNATURE_FAILURES,
    } <= read
    assert {"5XXError", "Count"} <= read


@dev_group
def test_every_function_is_in_an_errors_and_a_throttles_alarm(dev: Assembly) -> None:
    watched: dict[str, set[str]] = {"Errors": set(), "Throttles": set()}
    for alarm in _alarms(dev).values():
        for query in alarm["Properties"].get("Metrics", []):
            metric = query.get("MetricStat", {}).get("Metric", {})
            if metric.get("Namespace") == "AWS/Lambda":
                [dimension] = metric["Dimensions"]
                watched[metric["MetricName"]].add(json.dumps(dimension["Value"]))
    functions = {f.operation for f in dev.functions}

    assert len(watched["Errors"]) == len(functions)
    assert len(watched["Throttles"]) == len(functions)


@dev_group
def test_alarms_go_to_the_topic_and_the_dashboard_shows_the_figures(dev: Assembly) -> None:
    [topic_id] = dev.root.of_type("AWS::SNS::Topic")
    [dashboard] = dev.root.of_type("AWS::CloudWatch::Dashboard").values()
    body = json.dumps(dashboard["Properties"]["DashboardBody"])

    for alarm in _alarms(dev).values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}]
    for shown in ("Entitlement checks", Figure.EVENTS_INGESTED, Figure.INVOICES_ISSUED):
        assert shown in body
    assert Figure.AMOUNT_COLLECTED in body
    assert "currency" in body


@pytest.mark.xdist_group("infra-alarm-context")
def test_an_alarm_email_subscribes_to_the_topic(tmp_path) -> None:
    custom = synthesize("dev", tmp_path, alarmEmail="ops@example.com")

    [subscription] = custom.root.of_type("AWS::SNS::Subscription").values()

    assert subscription["Properties"]["Protocol"] == "email"
    assert subscription["Properties"]["Endpoint"] == "ops@example.com"
