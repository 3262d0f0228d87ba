"""The table's physical schema: one definition for the CDK stack, the local stack and tests."""

from dataclasses import dataclass
from typing import Any

PARTITION_KEY = "pk"
SORT_KEY = "sk"
TTL_ATTRIBUTE = "expiresAt"


@dataclass(frozen=True)
class GlobalIndex:
    """A global secondary index with string keys, projecting all attributes."""

    name: str
    partition_key: str
    sort_key: str


LISTING_INDEX = GlobalIndex("gsi1", "gsi1pk", "gsi1sk")
"""Lists that span partitions: customers by creation time, invoices by id."""

DUE_WORK_INDEX = GlobalIndex("gsi2", "gsi2pk", "gsi2sk")
"""Subscriptions by next billing time, sharded, for the scheduled billing run."""

GLOBAL_INDEXES = (LISTING_INDEX, DUE_WORK_INDEX)

STREAM_VIEW = "NEW_AND_OLD_IMAGES"
"""The table's stream: the relay publishes outbox events from it, and reads usage thresholds
off counters' old and new images."""


def create_table_request(table_name: str) -> dict[str, Any]:
    """The CreateTable call for this schema (local stack and tests; CDK builds its own)."""
    key_names = [PARTITION_KEY, SORT_KEY]
    for index in GLOBAL_INDEXES:
        key_names += [index.partition_key, index.sort_key]
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": STREAM_VIEW},
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"} for n in key_names],
        "KeySchema": [
            {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": index.name,
                "KeySchema": [
                    {"AttributeName": index.partition_key, "KeyType": "HASH"},
                    {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in GLOBAL_INDEXES
        ],
    }
