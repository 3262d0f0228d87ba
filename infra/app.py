"""The CDK app. Run `python -m infra.app [-c stage=prod]` (or `cdk synth -c stage=prod`).

Offline: no AWS credentials, no Docker. The stack is environment-agnostic; the layers are staged
in Python (`infra.layers`) before synthesis; cdk-nag runs as a validation plugin during synthesis.
"""

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import aws_cdk as cdk

from infra import constants
from infra.constructs import nag
from infra.layers import stage_layers
from infra.stack import BillfoldStack

DEFAULT_STAGE = "dev"
"""Used when neither the command line nor cdk.json names a stage."""


def cdk_json_context() -> dict[str, Any]:
    """cdk.json's context: the CDK CLI passes it to the app, a direct run reads it here."""
    if not constants.CDK_JSON.is_file():
        return {}
    return dict(json.loads(constants.CDK_JSON.read_text()).get("context", {}))


def build_app(context: Mapping[str, Any] | None = None, outdir: str | None = None) -> cdk.App:
    """The app with one stage's stack; `context` overrides cdk.json (the CLI's `-c` wins over
    both)."""
    app = cdk.App(
        context={**constants.FEATURE_FLAGS, **cdk_json_context(), **(context or {})},
        outdir=outdir,
    )
    stage = str(app.node.try_get_context("stage") or DEFAULT_STAGE)
    settings = replace(
        constants.stage_settings(stage),
        xray_sdk=_flag(app, constants.CONTEXT_XRAY_SDK),
        snap_start=_flag(app, constants.CONTEXT_SNAP_START),
    )
    BillfoldStack(app, constants.stack_name(stage), settings=settings, layer_dirs=stage_layers())
    cdk.Tags.of(app).add(constants.TAG_STAGE, stage)
    nag.add_checks(app)
    return app


def _flag(app: cdk.App, key: str) -> bool:
    """A true/false context value (`-c key=true`); absent is false."""
    value = str(app.node.try_get_context(key) or "false").lower()
    if value not in {"true", "false"}:
        raise ValueError(f"-c {key}= takes true or false, not {value!r}")
    return value == "true"


def _parse_context(pairs: Sequence[str]) -> dict[str, str]:
    context = {}
    for pair in pairs:
        key, separator, value = pair.partition("=")
        if not separator or not key:
            raise SystemExit(f"invalid context {pair!r}: expected KEY=VALUE")
        context[key] = value
    return context


def main(argv: Sequence[str] | None = None) -> None:
    """Synthesize into `--outdir` (the CLI's CDK_OUTDIR when run by `cdk`, else `cdk.out/`)."""
    parser = argparse.ArgumentParser(prog="python -m infra.app", description=__doc__)
    parser.add_argument(
        "-c", "--context", action="append", default=[], metavar="KEY=VALUE",
        help="context value, like the CDK CLI's -c (e.g. -c stage=prod)",
    )  # fmt: skip
    parser.add_argument(
        "--outdir",
        default=os.environ.get("CDK_OUTDIR", str(constants.DEFAULT_OUTDIR)),
        help="cloud assembly directory (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    try:
        app = build_app(_parse_context(args.context), args.outdir)
    except ValueError as error:  # e.g. an unknown stage
        parser.error(str(error))
    assembly = app.synth()
    stacks = ", ".join(stack.stack_name for stack in assembly.stacks)
    print(f"billfold: synthesized {stacks} into {assembly.directory}", file=sys.stderr)


if __name__ == "__main__":
    main()
