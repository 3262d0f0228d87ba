"""moto's server, answering one request at a time.

moto's stock server is threaded, and its DynamoDB backend is not safe under concurrent
transactions: a cancelled TransactWriteItems restores a copy of the whole table taken when it
began, erasing writes committed meanwhile. DynamoDB itself never loses a committed write, so
the local stack serializes requests to moto to keep its behaviour faithful.

moto also backs up the table once per *item* of a transaction (a deep copy each), so a
99-item transaction on a table of thousands of items took seconds; `_one_backup_per_table`
makes it take one copy per table, as it means to. That copy leaves out the table's stream
(moto would copy every record ever streamed, each transaction): a cancelled transaction
instead drops the records its partial writes streamed, so, as in DynamoDB, nothing that did
not commit reaches the stream.

The stream keeps only the records the relay's event filter takes (`RELAYED_RECORDS`): Lambda
filters after the stream, but locally nothing else reads it, and moto keeps every record for
as long as it runs. Run as `python -m local.moto_server -p PORT`.
"""

import argparse
import copy
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from moto.dynamodb import models as dynamodb_models
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple

from billfold.events.routing import RELAYED_RECORDS, matches


def _one_backup_per_table(transact: Callable[..., None]) -> Callable[..., None]:
    """Wrap moto's transact_write_items so its rollback copies each table once per call, its
    stream aside (safe: the server handles one request at a time)."""

    def transact_once(backend: Any, transact_items: list[dict[str, Any]]) -> None:
        copies: dict[int, Any] = {}
        streamed: list[tuple[Any, int]] = []

        def deepcopy_once(table: Any) -> Any:
            if id(table) not in copies:
                shard = getattr(table, "stream_shard", None)
                if shard is not None:
                    table.stream_shard = None
                try:
                    copies[id(table)] = copy.deepcopy(table)
                finally:
                    if shard is not None:
                        table.stream_shard = shard
                        copies[id(table)].stream_shard = shard
                        streamed.append((shard, len(shard.items)))
            return copies[id(table)]

        module = vars(dynamodb_models)  # the module's globals: its `copy` is what it calls
        module["copy"] = SimpleNamespace(deepcopy=deepcopy_once)
        try:
            transact(backend, transact_items)
        except Exception:
            for shard, length in streamed:
                del shard.items[length:]  # what the cancelled transaction streamed
            raise
        finally:
            module["copy"] = copy

    return transact_once


def _relayed_only(add: Callable[..., None]) -> Callable[..., None]:
    """Wrap moto's StreamShard.add to keep only the records the relay's filter takes."""

    def add_if_relayed(shard: Any, old: Any, new: Any) -> None:
        table = shard.table
        item = old if old is not None else new
        keys = {table.hash_key_attr: item.hash_key.to_json()}
        if table.range_key_attr is not None:
            keys[table.range_key_attr] = item.range_key.to_json()
        name = "INSERT" if old is None else ("REMOVE" if new is None else "MODIFY")
        record = {"eventName": name, "dynamodb": {"Keys": keys}}
        if any(matches(pattern, record) for pattern in RELAYED_RECORDS):
            add(shard, old, new)

    return add_if_relayed


def main() -> None:
    """Serve moto on loopback, single-threaded."""
    parser = argparse.ArgumentParser(prog="python -m local.moto_server")
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    backend = dynamodb_models.DynamoDBBackend
    backend.transact_write_items = _one_backup_per_table(backend.transact_write_items)  # type: ignore[method-assign]
    shard = dynamodb_models.table.StreamShard
    shard.add = _relayed_only(shard.add)  # type: ignore[method-assign]
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(args.host, args.port, app, threaded=False, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
