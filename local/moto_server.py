"""moto's server, answering one request at a time.

moto's stock server is threaded, and its DynamoDB backend is not safe under concurrent
transactions: a cancelled TransactWriteItems restores a copy of the whole table taken when it
began, erasing writes committed meanwhile. DynamoDB itself never loses a committed write, so
the local stack serializes requests to moto to keep its behaviour faithful.

moto also backs up the table once per *item* of a transaction (a deep copy each), so a
99-item transaction on a table of thousands of items took seconds; `_one_backup_per_table`
makes it take one copy per table, as it means to. Run as `python -m local.moto_server -p PORT`.
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


def _one_backup_per_table(transact: Callable[..., None]) -> Callable[..., None]:
    """Wrap moto's transact_write_items so its rollback copies each table once per call
    (safe: the server handles one request at a time)."""

    def transact_once(backend: Any, transact_items: list[dict[str, Any]]) -> None:
        copies: dict[int, Any] = {}

        def deepcopy_once(table: Any) -> Any:
            if id(table) not in copies:
                copies[id(table)] = copy.deepcopy(table)
            return copies[id(table)]

        module = vars(dynamodb_models)  # the module's globals: its `copy` is what it calls
        module["copy"] = SimpleNamespace(deepcopy=deepcopy_once)
        try:
            transact(backend, transact_items)
        finally:
            module["copy"] = copy

    return transact_once


def main() -> None:
    """Serve moto on loopback, single-threaded."""
    parser = argparse.ArgumentParser(prog="python -m local.moto_server")
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    backend = dynamodb_models.DynamoDBBackend
    backend.transact_write_items = _one_backup_per_table(backend.transact_write_items)  # type: ignore[method-assign]
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(args.host, args.port, app, threaded=False, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
