"""`billfold catalog export | plan FILE | apply FILE`: pricing as code, with a server key.

export BILLFOLD_API_URL=https://<api>/<stage> BILLFOLD_API_KEY=bf_sk_...
billfold catalog export > pricing.yaml
billfold catalog plan pricing.yaml     # exit 0: no change, 2: changes, 1: an error
billfold catalog apply pricing.yaml
"""

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from billfold_sdk.catalog_sync import apply_changes, export, plan_changes, read_catalog
from billfold_sdk.client import Billfold
from billfold_sdk.errors import BillfoldError
from billfold_sdk.pricing_file import PricingFileError, dump, load

NO_CHANGES, FAILED, CHANGES = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="billfold", description="billfold's command line")
    parser.add_argument("--api-url", default=os.environ.get("BILLFOLD_API_URL"))
    parser.add_argument(
        "--api-key", default=os.environ.get("BILLFOLD_API_KEY"), help="a server key"
    )
    groups = parser.add_subparsers(dest="group", required=True)
    catalog = groups.add_parser("catalog", help="pricing as code").add_subparsers(
        dest="command", required=True
    )
    catalog.add_parser("export", help="write the current catalog as a pricing file")
    for name, text in (("plan", "show what apply would change"), ("apply", "make it so")):
        command = catalog.add_parser(name, help=text)
        command.add_argument("file", type=Path)
    return parser


def run(argv: Sequence[str] | None = None, client: Billfold | None = None) -> int:
    """Run a command; its exit code."""
    arguments = _parser().parse_args(argv)
    if client is None:
        if not arguments.api_url or not arguments.api_key:
            print("set BILLFOLD_API_URL and BILLFOLD_API_KEY (a server key)", file=sys.stderr)
            return FAILED
        client = Billfold(arguments.api_key, arguments.api_url)
    try:
        if arguments.command == "export":
            sys.stdout.write(dump(export(read_catalog(client))))
            return NO_CHANGES
        pricing = load(arguments.file)
        if arguments.command == "plan":
            changes = plan_changes(pricing, read_catalog(client))
            for change in changes:
                print(change.describe())
            print(
                f"{len(changes)} change(s)" if changes else "no changes: billfold matches the file"
            )
            return CHANGES if changes else NO_CHANGES
        made = apply_changes(client, pricing, lambda change: print(change.describe(), flush=True))
        print(f"applied {len(made)} change(s)" if made else "no changes: billfold matches the file")
        return NO_CHANGES
    except PricingFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return FAILED
    except BillfoldError as error:
        print(f"error: billfold refused: {error}", file=sys.stderr)
        return FAILED
    except RuntimeError as error:  # apply lost every race it ran
        print(f"error: {error}", file=sys.stderr)
        return FAILED


def main() -> None:
    """The `billfold` console script."""
    sys.exit(run())
