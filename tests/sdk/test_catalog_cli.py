"""`billfold catalog` against the local stack: export, plan and apply round-trip with no
drift, changes planned as billfold's rules say, and mistakes reported at their line."""

from pathlib import Path

import pytest
from billfold_sdk import Billfold
from billfold_sdk.cli import CHANGES, FAILED, NO_CHANGES, run

from local.dev import LocalApi
from local.seed import DEMO_PRICING


@pytest.fixture
def client(local_api: LocalApi) -> Billfold:
    """The SDK with the local stack's server key."""
    return Billfold(local_api.server_key, local_api.url)


def test_the_demo_pricing_file_matches_what_make_dev_applied(
    client: Billfold, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["catalog", "plan", str(DEMO_PRICING)], client) == NO_CHANGES, capsys.readouterr()


def test_export_plan_apply_plan_round_trips_without_drift(
    client: Billfold, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = tmp_path / "pricing.yaml"

    assert run(["catalog", "export"], client) == NO_CHANGES
    exported.write_text(capsys.readouterr().out)
    first = run(["catalog", "plan", str(exported)], client)
    applied = run(["catalog", "apply", str(exported)], client)
    again = run(["catalog", "plan", str(exported)], client)

    assert (first, applied, again) == (NO_CHANGES, NO_CHANGES, NO_CHANGES), capsys.readouterr()
    assert "plans:" in exported.read_text()


def test_an_unknown_field_is_reported_at_its_line(
    client: Billfold, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "pricing.yaml"
    broken.write_text("plans:\n  - id: x\n    name: X\n    prise: 5\n")

    assert run(["catalog", "plan", str(broken)], client) == FAILED
    assert f"{broken}:4: plans[0].prise" in capsys.readouterr().err


def test_a_price_change_is_planned_as_a_new_version(
    client: Billfold, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["catalog", "export"], client) == NO_CHANGES
    text = capsys.readouterr().out.replace("amount: 1900", "amount: 2100", 1)
    changed = tmp_path / "pricing.yaml"
    changed.write_text(text)

    assert run(["catalog", "plan", str(changed)], client) == CHANGES
    assert "~ publish plan 'starter' as version" in capsys.readouterr().out
