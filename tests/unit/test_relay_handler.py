"""The relay's batch: records in order, stopping at the first that fails, which alone is
reported, so Lambda retries from it and no later event is numbered before it."""

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import local  # noqa: F401 - the local Powertools settings, before the handler is imported
from local.lambda_context import LocalLambdaContext

HANDLER = Path(__file__).resolve().parents[2] / "functions" / "relay_events" / "handler.py"


@pytest.fixture
def relay_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("relay_events_under_test", HANDLER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _record(sequence: str) -> dict[str, Any]:
    return {
        "eventID": sequence,
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "dynamodb": {"SequenceNumber": sequence, "Keys": {"pk": {"S": "EVENTS#a"}}},
    }


def test_the_batch_stops_at_the_first_failing_record(relay_module, monkeypatch):
    handled: list[str] = []

    def relay(record: Any) -> None:
        handled.append(record.dynamodb.sequence_number)
        if record.dynamodb.sequence_number == "2":
            raise RuntimeError("throttled")

    monkeypatch.setattr(relay_module, "relay", relay)
    batch = {"Records": [_record("1"), _record("2"), _record("3")]}

    answer = relay_module.handler(batch, LocalLambdaContext("relay_events"))

    assert answer == {"batchItemFailures": [{"itemIdentifier": "2"}]}
    assert handled == ["1", "2"]  # "3" waits for "2": its event is not numbered first


def test_a_batch_that_all_relays_reports_no_failure(relay_module, monkeypatch):
    monkeypatch.setattr(relay_module, "relay", lambda record: None)

    answer = relay_module.handler(
        {"Records": [_record("1"), _record("2")]}, LocalLambdaContext("relay_events")
    )

    assert answer == {"batchItemFailures": []}
