"""billfold's state: the DynamoDB table and the invoice bucket (with its access-log bucket)."""

from typing import Any

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from constructs import Construct

from billfold.storage import schema
from infra.constants import StageSettings

INVOICE_ACCESS_LOG_PREFIX = "invoices/"


def private_bucket(
    scope: Construct, construct_id: str, settings: StageSettings, **options: Any
) -> s3.Bucket:
    """A bucket no one reaches without IAM: public access blocked, S3-managed encryption, TLS
    only, kept or destroyed with the stage; `options` add to these."""
    return s3.Bucket(
        scope,
        construct_id,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        removal_policy=settings.removal_policy,
        **options,
    )


def _string_key(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


class Data(Construct):
    """The single table (schema from `billfold.storage.schema`) and the private invoice bucket."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: StageSettings) -> None:
        super().__init__(scope, construct_id)
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=_string_key(schema.PARTITION_KEY),
            sort_key=_string_key(schema.SORT_KEY),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=schema.TTL_ATTRIBUTE,
            stream=dynamodb.StreamViewType(schema.STREAM_VIEW),
            deletion_protection=settings.protected,
            removal_policy=settings.removal_policy,
        )
        for index in schema.GLOBAL_INDEXES:
            self.table.add_global_secondary_index(
                index_name=index.name,
                partition_key=_string_key(index.partition_key),
                sort_key=_string_key(index.sort_key),
                projection_type=dynamodb.ProjectionType.ALL,
            )
        self.index_arns = [
            f"{self.table.table_arn}/index/{index.name}" for index in schema.GLOBAL_INDEXES
        ]
        """Each index's ARN, for IAM statements (no `index/*` wildcard)."""

        self.access_log_bucket = private_bucket(
            self,
            "AccessLogBucket",
            settings,
            lifecycle_rules=[s3.LifecycleRule(expiration=settings.access_log_expiration)],
        )
        self.invoice_bucket = private_bucket(
            self,
            "InvoiceBucket",
            settings,
            versioned=True,
            server_access_logs_bucket=self.access_log_bucket,
            server_access_logs_prefix=INVOICE_ACCESS_LOG_PREFIX,
        )
