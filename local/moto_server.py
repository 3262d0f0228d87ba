"""moto's server, answering one request at a time.

moto's stock server is threaded, and its DynamoDB backend is not safe under concurrent
transactions: a cancelled TransactWriteItems restores a copy of the whole table taken when it
began, erasing writes committed meanwhile. DynamoDB itself never loses a committed write, so
the local stack serializes requests to moto to keep its behaviour faithful.

moto also backs up the table once per *item* of a transaction (a deep copy of the whole
table each), so a transaction took longer the more the table held; `_one_backup_per_table`
makes its rollback copy only what the transaction writes: the table's index of items and the
items at the transaction's keys (every other item is shared, as is the stream, from which a
cancelled transaction drops what its partial writes streamed: as in DynamoDB, nothing that
did not commit reaches it).

The stream keeps only the records the relay's event filter takes (`RELAYED_RECORDS`): Lambda
filters after the stream, but locally nothing else reads it, and moto keeps every record for
as long as it runs. Run as `python -m local.moto_server -p PORT`.
"""

import argparse
import copy
from collections import defaultdict
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table as MotoTable
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple

from billfold.events.routing import RELAYED_RECORDS, matches


def _touched(backend: Any, transact_items: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The keys each table's items are written at by a transaction, as moto indexes items."""
    touched: dict[str, list[Any]] = defaultdict(list)
    for operation in transact_items:
        ((_, spec),) = operation.items()
        table = backend.get_table(spec["TableName"])
        key = spec.get("Key") or spec["Item"]
        hash_value = DynamoType(key[table.hash_key_attr])
        range_attr = table.range_key_attr
        touched[table.name].append(
            (hash_value, DynamoType(key[range_attr]) if range_attr else None)
        )
    return touched


def _snapshot(table: Any, keys: list[Any]) -> Any:
    """What rolling a transaction back restores: the table with its index of items copied and
    the items at `keys` copied deeply (the only ones the transaction may change); every other
    item, and the stream, are shared."""
    snapshot = copy.copy(table)
    if table.range_key_attr:
        snapshot.items = defaultdict(dict, {h: dict(rs) for h, rs in table.items.items()})
    else:
        snapshot.items = defaultdict(dict, table.items)
    for hash_value, range_value in keys:
        held = table.items.get(hash_value)
        current = held.get(range_value) if range_value is not None and held else held
        if current is not None:
            copied = copy.deepcopy(current)
            if range_value is None:
                snapshot.items[hash_value] = copied
            else:
                snapshot.items[hash_value][range_value] = copied
    return snapshot


def _one_backup_per_table(transact: Callable[..., None]) -> Callable[..., None]:
    """Wrap moto's transact_write_items so its rollback copies, once per table, only what the
    transaction writes (safe: the server handles one request at a time)."""

    def transact_once(backend: Any, transact_items: list[dict[str, Any]]) -> None:
        touched = _touched(backend, transact_items)
        copies: dict[int, Any] = {}
        streamed: list[tuple[Any, int]] = []

        def deepcopy_once(value: Any) -> Any:
            if id(value) not in copies:
                if isinstance(value, MotoTable):
                    copies[id(value)] = _snapshot(value, touched.get(value.name, []))
                    if value.stream_shard is not None:
                        streamed.append((value.stream_shard, len(value.stream_shard.items)))
                else:
                    copies[id(value)] = copy.deepcopy(value)
            return copies[id(value)]

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
