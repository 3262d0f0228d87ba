"""The scheduled half of the billing run: find every customer with work due and queue them,
so each is settled by its own queue message (ten thousand due customers are ten thousand
messages, not one Lambda's loop)."""

import json
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from billfold.clock import from_sortable_timestamp, sortable_timestamp
from billfold.figures import Figure, record
from billfold.storage.due_work import DUE_SHARDS
from billfold.storage.schema import DUE_WORK_INDEX
from billfold.storage.table import Table
from billfold.subscriptions.transitions import due_customers

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

SQS_BATCH = 10


def due_now(table: Table, now: datetime) -> Iterator[str]:
    """Each customer with a transition or a payment retry due by `now`, once."""
    seen: set[str] = set()
    for shard in range(DUE_SHARDS):
        for customer_id in due_customers(table, shard, now):
            if customer_id not in seen:
                seen.add(customer_id)
                yield customer_id


def customer_message(customer_id: str) -> str:
    """The queue message that asks a worker to settle one customer (as of when it runs: the
    worker settles whatever is due by its own clock, so a late message misses nothing)."""
    return json.dumps({"customerId": customer_id})


def enqueue(sqs: "SQSClient", queue_url: str, customer_ids: list[str]) -> int:
    """Send one message per customer, ten to a batch; how many were sent."""
    sent = 0
    for start in range(0, len(customer_ids), SQS_BATCH):
        batch = customer_ids[start : start + SQS_BATCH]
        response = sqs.send_message_batch(
            QueueUrl=queue_url,
            Entries=[
                {"Id": str(index), "MessageBody": customer_message(customer_id)}
                for index, customer_id in enumerate(batch)
            ],
        )
        if response.get("Failed"):
            raise RuntimeError(f"SQS refused {len(response['Failed'])} billing messages")
        sent += len(batch)
    return sent


def billing_lag(table: Table, now: datetime) -> float:
    """How long the longest-waiting due work has waited, in seconds (0: none is overdue): the
    earliest entry of each due-work shard."""
    index = (DUE_WORK_INDEX.name, DUE_WORK_INDEX.partition_key, DUE_WORK_INDEX.sort_key)
    earliest = sortable_timestamp(now)
    for shard in range(DUE_SHARDS):
        page = table.query(f"DUE#{shard:02d}", index=index, limit=1)
        if page.items:
            earliest = min(earliest, str(page.items[0][DUE_WORK_INDEX.sort_key]).split("#")[0])
    waited = now - from_sortable_timestamp(earliest)
    return max(waited.total_seconds(), 0.0)


def enqueue_due(table: Table, sqs: "SQSClient", queue_url: str, now: datetime) -> int:
    """Queue every customer with work due by `now`, and record how long the longest-waiting
    has waited (the billing-lag alarm's figure); how many were queued."""
    record(Figure.BILLING_LAG_SECONDS, billing_lag(table, now))
    return enqueue(sqs, queue_url, list(due_now(table, now)))
