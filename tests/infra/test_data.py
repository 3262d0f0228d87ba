"""State: the table (from billfold.storage.schema), the private invoice bucket, the secrets."""

import json
from typing import Any

import pytest

from billfold.storage import schema
from tests.infra.assembly import Assembly, StackTemplate, portal_bucket

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("infra-dev")]


def invoice_and_log_buckets(stack: StackTemplate) -> tuple[str, str]:
    """(invoice bucket, access-log bucket), by logical id (the portal's bucket logs too)."""
    buckets = stack.of_type("AWS::S3::Bucket")
    (invoice,) = [k for k in buckets if k.startswith("DataInvoiceBucket")]
    (logs,) = [k for k in buckets if k.startswith("DataAccessLogBucket")]
    assert "LoggingConfiguration" not in buckets[logs]["Properties"]
    return invoice, logs


def bucket_policy(stack: StackTemplate, bucket_id: str) -> list[dict[str, Any]]:
    (policy,) = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in stack.of_type("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    return list(policy)


def test_table_follows_the_schema(dev: Assembly) -> None:
    def key_schema(partition: str, sort: str) -> list[dict[str, str]]:
        return [
            {"AttributeName": partition, "KeyType": "HASH"},
            {"AttributeName": sort, "KeyType": "RANGE"},
        ]

    expected = schema.create_table_request("unused")
    _, table = dev.only("AWS::DynamoDB::Table")
    properties = table["Properties"]
    assert properties["KeySchema"] == key_schema(schema.PARTITION_KEY, schema.SORT_KEY)
    assert sorted(properties["AttributeDefinitions"], key=str) == sorted(
        expected["AttributeDefinitions"], key=str
    )
    assert properties["GlobalSecondaryIndexes"] == [
        {
            "IndexName": index.name,
            "KeySchema": key_schema(index.partition_key, index.sort_key),
            "Projection": {"ProjectionType": "ALL"},
        }
        for index in schema.GLOBAL_INDEXES
    ]
    assert properties["TimeToLiveSpecification"] == {
        "AttributeName": schema.TTL_ATTRIBUTE,
        "Enabled": True,
    }


def test_table_is_on_demand_encrypted_and_recoverable(dev: Assembly) -> None:
    dev.root.template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "BillingMode": "PAY_PER_REQUEST",
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "SSESpecification": {"SSEEnabled": True},
        },
    )


def test_dev_state_is_disposable(dev: Assembly) -> None:
    _, table = dev.only("AWS::DynamoDB::Table")
    assert table["DeletionPolicy"] == "Delete"
    assert table["Properties"]["DeletionProtectionEnabled"] is False


@pytest.mark.parametrize("which", ["invoice", "access-log", "portal"])
def test_buckets_are_private_encrypted_and_deny_plain_http(dev: Assembly, which: str) -> None:
    invoice, logs = invoice_and_log_buckets(dev.root)
    bucket_id = {"invoice": invoice, "access-log": logs, "portal": portal_bucket(dev)}[which]
    properties = dev.root.resources[bucket_id]["Properties"]
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert properties["BucketEncryption"] == {
        "ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
        ]
    }
    bucket_arn = {"Fn::GetAtt": [bucket_id, "Arn"]}
    assert {
        "Action": "s3:*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Resource": [bucket_arn, {"Fn::Join": ["", [bucket_arn, "/*"]]}],
    } in bucket_policy(dev.root, bucket_id)
    assert not [
        s
        for s in bucket_policy(dev.root, bucket_id)
        if s["Effect"] == "Allow" and not _expected_reader(s)
    ]


def _expected_reader(statement: dict[str, Any]) -> bool:
    """S3 log delivery; CloudFront, for one distribution only (origin access control); or
    CDK's provider that empties a dev stage's portal bucket when the stack is deleted."""
    principal = statement["Principal"]
    if principal == {"Service": "logging.s3.amazonaws.com"}:
        return True
    if principal == {"Service": "cloudfront.amazonaws.com"}:
        return "AWS:SourceArn" in statement["Condition"]["StringEquals"]
    role = principal.get("AWS", {}).get("Fn::GetAtt", [""])[0]
    return str(role).startswith("CustomS3AutoDeleteObjectsCustomResourceProviderRole")


def test_invoice_bucket_is_versioned_and_logs_to_the_log_bucket(dev: Assembly) -> None:
    invoice, logs = invoice_and_log_buckets(dev.root)
    properties = dev.root.resources[invoice]["Properties"]
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    assert properties["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": logs}
    delivery = [s for s in bucket_policy(dev.root, logs) if s["Effect"] == "Allow"]
    assert {str(s["Principal"]) for s in delivery} == {str({"Service": "logging.s3.amazonaws.com"})}
    (from_invoices,) = [
        s
        for s in delivery
        if s["Condition"]["ArnLike"] == {"aws:SourceArn": {"Fn::GetAtt": [invoice, "Arn"]}}
    ]
    log_bucket_arn = {"Fn::GetAtt": [logs, "Arn"]}
    assert from_invoices["Resource"] == {"Fn::Join": ["", [log_bucket_arn, "/invoices/*"]]}


def test_secrets(dev: Assembly) -> None:
    secrets = {
        r["Properties"]["Name"]: r["Properties"]
        for r in dev.root.of_type("AWS::SecretsManager::Secret").values()
    }
    assert set(secrets) == {
        "billfold/dev/stripe",
        "billfold/dev/stripe-webhook",
        "billfold/dev/portal-signing",
    }
    stripe = json.loads(secrets["billfold/dev/stripe"]["SecretString"])
    assert set(stripe) == {"secretKey", "publishableKey"}
    assert all("REPLACE_ME" in value for value in stripe.values())
    assert secrets["billfold/dev/stripe-webhook"]["SecretString"] == "whsec_REPLACE_ME"
    portal = secrets["billfold/dev/portal-signing"]
    assert "SecretString" not in portal
    assert portal["GenerateSecretString"]["PasswordLength"] == 64
