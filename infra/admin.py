"""Operator commands for a deployed stack, run with your AWS credentials.

BILLFOLD_TABLE_NAME=<table> python -m infra.admin create-server-key "my backend"
"""

import argparse

from billfold.auth.api_keys import new_server_key, store_server_key
from billfold.clock import SystemClock
from billfold.config import Settings
from billfold.storage.table import Table


def create_server_key(name: str) -> str:
    """Store a new server key (hashed) in the deployment's table and return it."""
    key = new_server_key()
    store_server_key(Table(Settings.from_env().table_name), key, name, SystemClock())
    return key


def main() -> None:
    """Parse the command line and run the command."""
    parser = argparse.ArgumentParser(prog="python -m infra.admin")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-server-key", help="create a server API key")
    create.add_argument("name", help="what the key is for, e.g. 'my backend'")
    arguments = parser.parse_args()
    if arguments.command == "create-server-key":
        key = create_server_key(arguments.name)
        print(f"server key (shown once, stored only as its hash): {key}")


if __name__ == "__main__":
    main()
