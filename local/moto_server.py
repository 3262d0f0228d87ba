"""moto's server, answering one request at a time.

moto's stock server is threaded, and its DynamoDB backend is not safe under concurrent
transactions: a cancelled TransactWriteItems restores a copy of the whole table taken when it
began, erasing writes committed meanwhile. DynamoDB itself never loses a committed write, so
the local stack serializes requests to moto to keep its behaviour faithful. Run as
`python -m local.moto_server -p PORT`.
"""

import argparse

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


def main() -> None:
    """Serve moto on loopback, single-threaded."""
    parser = argparse.ArgumentParser(prog="python -m local.moto_server")
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(args.host, args.port, app, threaded=False, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
