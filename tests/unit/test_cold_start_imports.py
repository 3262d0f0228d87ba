"""What a cold start imports (never how long it takes: `make bench` measures that): the hot
path's handlers load neither Powertools' REST resolver nor the X-Ray SDK, and no handler loads
the SDK unless the deployment asks for it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOT_PATH = ("check_entitlement", "consume_usage", "report_usage", "ingest_events", "authorizer")


def _imported_after_loading(operation: str, **env: str) -> set[str]:
    handler = ROOT / "functions" / operation / "handler.py"
    code = (
        "import importlib.util, json, sys\n"
        f"s = importlib.util.spec_from_file_location('handler', {str(handler)!r})\n"
        "m = importlib.util.module_from_spec(s); sys.modules['handler'] = m\n"
        "s.loader.exec_module(m)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    environment = {"BILLFOLD_TABLE_NAME": "t", "PYTHONPATH": str(ROOT / "layers" / "shared"), **env}
    output = subprocess.check_output([sys.executable, "-c", code], env=environment, text=True)
    return set(json.loads(output))


@pytest.mark.parametrize("operation", HOT_PATH)
def test_the_hot_path_loads_neither_the_resolver_nor_the_xray_sdk(operation: str) -> None:
    modules = _imported_after_loading(operation)

    assert "aws_lambda_powertools.event_handler.api_gateway" not in modules
    assert "aws_xray_sdk" not in modules
    assert "stripe" not in modules


def test_the_xray_sdk_is_loaded_when_the_deployment_asks_for_it() -> None:
    assert "aws_xray_sdk" not in _imported_after_loading("get_plan")
    assert "aws_xray_sdk" in _imported_after_loading("get_plan", BILLFOLD_XRAY_SDK="true")


@pytest.mark.parametrize("operation", [op for op in HOT_PATH if op != "authorizer"])
def test_the_hot_path_loads_nothing_of_checkout(operation: str) -> None:
    """The checkout's path parameter is declared with the others; its package stays out."""
    modules = _imported_after_loading(operation)

    assert not {m for m in modules if m.startswith("billfold.checkout")}


@pytest.mark.parametrize("operation", ["get_checkout_session", "get_pricing"])
def test_viewing_a_checkout_or_the_pricing_loads_no_stripe(operation: str) -> None:
    assert "stripe" not in _imported_after_loading(operation)
