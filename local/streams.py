"""The local stand-in for Lambda's DynamoDB stream event source mapping: read the table's
stream from moto, keep the records the relay's filter patterns match (as Lambda's event
filtering would), and invoke the relay with a real stream event, in order. A batch that fails
is given again (from its first failed record), a few times, then skipped, as a stream
mapping with a retry limit does.

moto numbers a shard's records by their position, and two records written at once may share
a number, so a reader that asks for what follows the last number it read can skip one. The
pump counts the records it has read instead, and asks for the record at that position."""

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from billfold.events.routing import RELAYED_RECORDS, matches
from local.functions import FunctionLoader
from local.lambda_context import LocalLambdaContext
from local.polling import Poller

if TYPE_CHECKING:
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient

log = logging.getLogger(__name__)

OPERATION = "relay_events"
BATCH = 100
MAX_TRIES = 3


class StreamPump(Poller):
    """Feeds the table's stream to the relay, in the background or on demand (`drain`)."""

    interval = 0.2
    idle_interval = 0.4

    def __init__(
        self,
        streams: "DynamoDBStreamsClient",
        stream_arn: str,
        functions: FunctionLoader,
        on_relayed: Callable[[], None] = lambda: None,
    ) -> None:
        self._streams = streams
        self._arn = stream_arn
        self._functions = functions
        self._on_relayed = on_relayed
        """Called after records were relayed: their events are on the bus, in the queues."""
        self._read_so_far: dict[str, int] = {}
        """Per shard, how many records have been read."""
        self._pending: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        super().__init__()

    def _read(self) -> None:
        """Read what the stream has past where each shard was left."""
        shards = self._streams.describe_stream(StreamArn=self._arn)["StreamDescription"]
        for shard in shards.get("Shards", []):
            shard_id = shard["ShardId"]
            first = int(shard["SequenceNumberRange"]["StartingSequenceNumber"])
            position = self._read_so_far.get(shard_id, 0)
            iterator = self._streams.get_shard_iterator(
                StreamArn=self._arn,
                ShardId=shard_id,
                ShardIteratorType="AT_SEQUENCE_NUMBER",
                SequenceNumber=str(first + position),
            )["ShardIterator"]
            page = self._streams.get_records(ShardIterator=iterator, Limit=1000)
            self._read_so_far[shard_id] = position + len(page.get("Records", []))
            self._pending += [
                self._lambda_record(dict(record))
                for record in page.get("Records", [])
                if any(matches(pattern, record) for pattern in RELAYED_RECORDS)
            ]

    def _lambda_record(self, record: dict[str, Any]) -> dict[str, Any]:
        """A stream record as Lambda hands it over (its ARN, its approximate time as epoch
        seconds)."""
        change = dict(record["dynamodb"])
        created = change.get("ApproximateCreationDateTime")
        if created is not None and hasattr(created, "timestamp"):
            change["ApproximateCreationDateTime"] = int(created.timestamp())
        return {**record, "dynamodb": change, "eventSourceARN": self._arn}

    def drain(self) -> int:
        """Relay every record the stream has now (and whatever relaying it writes); how many."""
        relayed = 0
        with self._lock:
            while True:
                self._read()
                if not self._pending:
                    return relayed
                relayed += self._relay_pending()

    def _relay_pending(self) -> int:
        """Relay the pending records in batches, retrying a batch's failed tail; how many."""
        done = 0
        while self._pending:
            batch = self._pending[:BATCH]
            for attempt in range(1, MAX_TRIES + 1):
                failed = self._invoke(batch)
                if failed is None:
                    break
                batch = batch[failed:]
                if attempt == MAX_TRIES:
                    log.error("relay gave up on %d stream records", len(batch))
            done += len(self._pending[:BATCH])
            self._pending = self._pending[BATCH:]
        return done

    def _invoke(self, batch: list[dict[str, Any]]) -> int | None:
        """Invoke the relay; None when all succeeded, else the index of the first failure."""
        try:
            with self._functions.container(OPERATION) as relay:
                response = relay.handler({"Records": batch}, LocalLambdaContext(OPERATION))
        except Exception:
            log.exception("the relay failed a batch of %d", len(batch))
            return 0
        failures = {item["itemIdentifier"] for item in response.get("batchItemFailures", [])}
        for index, record in enumerate(batch):
            if record["dynamodb"]["SequenceNumber"] in failures:
                return index
        return None

    def poll_once(self) -> bool:
        """Relay whatever the stream has now; whether there was any."""
        relayed = self.drain()
        if relayed:
            self._on_relayed()
        return relayed > 0
