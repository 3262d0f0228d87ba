"""cdk-nag (AWS Solutions): no unacknowledged finding, and every acknowledgment says why."""

import json
import re

import pytest
from aws_cdk import App, Stack, Validations
from aws_cdk import aws_s3 as s3
from cdk_nag import AwsSolutionsChecks

from infra.constructs import nag
from tests.infra.assembly import Assembly, as_list

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("infra-dev")]

ACKNOWLEDGED = Validations.ACKNOWLEDGED_RULES_METADATA_KEY
BUCKET_DEPLOYMENT_WILDCARDS = (
    r"Annotation::AwsSolutions-IAM5\[("
    r"Action::s3:(GetObject|GetBucket|List|DeleteObject|Abort)\*"
    r"|Resource::\*"
    r"|Resource::<PortalBucket[0-9A-F]{8}\.Arn>/\*"
    r"|Resource::arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-<AWS::AccountId>-<AWS::Region>/\*"
    r")\]"
)
"""What aws-cdk-lib grants the portal's BucketDeployment handler: read the assets bucket, sync
the portal bucket, invalidate CloudFront."""


def acknowledgments(dev: Assembly) -> dict[str, dict[str, str]]:
    """Construct path → {rule: reason}, from the synthesized metadata files."""
    found: dict[str, dict[str, str]] = {}
    for metadata_file in dev.outdir.glob("*.metadata.json"):
        for path, entries in json.loads(metadata_file.read_text()).items():
            for entry in entries:
                if entry["type"] == ACKNOWLEDGED:
                    found.setdefault(path, {}).update(entry["data"])
    return found


def test_aws_solutions_pack_finds_nothing_unacknowledged(dev: Assembly) -> None:
    report = AwsSolutionsChecks().validate_scope(dev.app)
    violations = [
        (v.rule_name, [r.construct_path for r in v.violating_resources]) for v in report.violations
    ]
    assert violations == []
    assert report.success


def test_validation_report_is_clean(dev: Assembly) -> None:
    """Nothing from cdk-nag nor CDK's built-in CloudFormation validation, not even warnings."""
    report = json.loads((dev.outdir / "validation-report.json").read_text())
    assert [(r["pluginName"], r["violations"]) for r in report["pluginReports"]] == []


def test_every_acknowledgment_is_specific_and_reasoned(dev: Assembly) -> None:
    found = acknowledgments(dev)
    assert found, "expected the known acknowledgments (X-Ray, COG4, ...)"
    for path, rules in found.items():
        for rule, reason in rules.items():
            assert re.fullmatch(r"Annotation::AwsSolutions-[A-Z]+\d+(\[.+\])?", rule), (path, rule)
            assert len(reason) >= 60, (path, rule, reason)
            if "IAM5" in rule and "/Custom::CDKBucketDeployment" in path:
                assert path.endswith("/ServiceRole"), "aws-cdk-lib's BucketDeployment handler"
                assert re.fullmatch(BUCKET_DEPLOYMENT_WILDCARDS, rule), (path, rule)
            elif "IAM5" in rule:
                assert rule.endswith(("[Resource::*]", "Arn>/invoices/*]")), (
                    "wildcards are acknowledged one by one: X-Ray, and invoice documents"
                )
                assert path.endswith("/Role"), "only function roles"


def test_wildcard_acknowledged_only_where_xray_is_the_only_wildcard(dev: Assembly) -> None:
    for function in dev.functions:
        wildcard_actions = {
            action
            for statement in function.statements()
            if "*" in as_list(statement["Resource"])
            for action in as_list(statement["Action"])
        }
        xray = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
        if function.operation == "relay_events":  # an account-level action: no resource
            xray |= {"dynamodb:ListStreams"}
        assert wildcard_actions == xray


def test_nag_checks_fail_synthesis_on_a_finding(tmp_path) -> None:
    """The plugin `build_app` registers (`nag.add_checks`) does stop a non-compliant synth."""
    app = App(outdir=str(tmp_path))
    s3.Bucket(Stack(app, "Probe"), "Public")  # no SSL enforcement, no access logs
    nag.add_checks(app)
    with pytest.raises(RuntimeError, match=r"AwsSolutions-S10"):
        app.synth()
