"""The prod stage: stateful resources survive stack deletion; logs are kept for a year."""

import json

import pytest

from tests.infra.assembly import Assembly

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("infra-prod")]

STATEFUL = (
    "AWS::DynamoDB::Table",
    "AWS::S3::Bucket",
    "AWS::SecretsManager::Secret",
)


@pytest.mark.parametrize("resource_type", STATEFUL)
def test_prod_retains_state(prod: Assembly, resource_type: str) -> None:
    resources = prod.root.of_type(resource_type)
    assert resources
    for resource in resources.values():
        assert resource["DeletionPolicy"] == "Retain"
        assert resource["UpdateReplacePolicy"] == "Retain"


def test_prod_table_has_deletion_protection(prod: Assembly) -> None:
    _, table = prod.only("AWS::DynamoDB::Table")
    assert table["Properties"]["DeletionProtectionEnabled"] is True


def test_prod_stack_has_termination_protection(prod: Assembly) -> None:
    manifest = json.loads((prod.outdir / "manifest.json").read_text())
    stack = manifest["artifacts"]["Billfold-prod"]
    assert stack["properties"]["terminationProtection"] is True


def test_prod_log_groups_keep_a_year(prod: Assembly) -> None:
    log_groups = [lg for s in prod.stacks for lg in s.of_type("AWS::Logs::LogGroup").values()]
    # + API access and execution logs, and the portal's BucketDeployment handler's logs
    assert len(log_groups) == len(prod.functions) + 3
    assert {lg["Properties"]["RetentionInDays"] for lg in log_groups} == {365}
    assert {lg["DeletionPolicy"] for lg in log_groups} == {"Retain"}


def test_prod_names_its_stage_and_secrets(prod: Assembly) -> None:
    _, stage = prod.only("AWS::ApiGateway::Stage")
    assert stage["Properties"]["StageName"] == "prod"
    names = {
        r["Properties"]["Name"] for r in prod.root.of_type("AWS::SecretsManager::Secret").values()
    }
    assert names == {
        "billfold/prod/stripe",
        "billfold/prod/stripe-webhook",
        "billfold/prod/portal-signing",
    }


def test_prod_validation_report_is_clean(prod: Assembly) -> None:
    report = json.loads((prod.outdir / "validation-report.json").read_text())
    assert [(r["pluginName"], r["violations"]) for r in report["pluginReports"]] == []
