"""`billfold catalog` against the local stack: export, plan and apply round-trip with no
drift, changes planned as billfold's rules say, and mistakes reported at their line.

The tests that apply write their own items (unique ids) into a file made from the catalog
exported just before, since an apply archives whatever its file leaves out; they archive their
plans afterwards, so that the demo pricing file still matches."""

import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from billfold_sdk import Billfold
from billfold_sdk.cli import CHANGES, FAILED, NO_CHANGES, run
from billfold_sdk.errors import NotFound

from local.dev import LocalApi
from local.seed import DEMO_PRICING, attach_test_card
from tests.conftest import WORKING_CARD

pytestmark = pytest.mark.serial
"""`apply` archives whatever its file leaves out, so these run alone, after the others."""

Catalog = dict[str, list[dict[str, Any]]]


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


def _exported(client: Billfold, capsys: pytest.CaptureFixture[str]) -> Catalog:
    """The catalog billfold holds now, as `billfold catalog export` prints it."""
    assert run(["catalog", "export"], client) == NO_CHANGES
    catalog: Catalog = yaml.safe_load(capsys.readouterr().out)
    return {key: list(items or []) for key, items in catalog.items()}


def _written(path: Path, catalog: Catalog) -> Path:
    path.write_text(yaml.safe_dump(catalog, sort_keys=False, width=100))
    return path


def _line_of(path: Path, text: str) -> int:
    """The 1-based line of the only line of the file containing `text`."""
    [line] = [n for n, content in enumerate(path.read_text().splitlines(), 1) if text in content]
    return line


def _plan(plan_id: str, amount: int = 1500) -> dict[str, Any]:
    return {
        "id": plan_id,
        "name": f"Test plan {plan_id}",
        "prices": [{"billingPeriod": "monthly", "currency": "USD", "amount": amount}],
        "entitlements": [{"featureId": "api-calls", "limit": 100}],
    }


def _with_plans(catalog: Catalog, *plans: dict[str, Any]) -> Catalog:
    ids = {plan["id"] for plan in plans}
    kept = [plan for plan in catalog["plans"] if plan["id"] not in ids]
    return {**catalog, "plans": [*kept, *plans]}


@pytest.fixture
def new_plan_id(client: Billfold) -> Iterator[Callable[[], str]]:
    """Unique plan ids, each archived after the test if it was created."""
    made: list[str] = []

    def make() -> str:
        made.append(f"cli-{uuid.uuid4().hex[:10]}")
        return made[-1]

    yield make
    for plan_id in made:
        try:
            if client.get_plan(plan_id)["status"] != "archived":
                client.archive_plan(plan_id)
        except NotFound:
            pass  # never created: nothing to clean up


def test_apply_is_idempotent(
    client: Billfold,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    new_plan_id: Callable[[], str],
) -> None:
    plan_id = new_plan_id()
    pricing = _written(
        tmp_path / "pricing.yaml", _with_plans(_exported(client, capsys), _plan(plan_id))
    )

    first = run(["catalog", "apply", str(pricing)], client)
    first_out = capsys.readouterr().out
    second = run(["catalog", "apply", str(pricing)], client)
    second_out = capsys.readouterr().out

    assert (first, second) == (NO_CHANGES, NO_CHANGES)
    assert f"+ create plan '{plan_id}'" in first_out
    assert "applied 1 change(s)" in first_out, first_out
    assert second_out == "no changes: billfold matches the file\n"
    assert client.get_plan(plan_id)["version"] == 1
    assert run(["catalog", "plan", str(pricing)], client) == NO_CHANGES


def test_two_applies_at_once_both_succeed_without_drift(
    client: Billfold,
    local_api: LocalApi,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    new_plan_id: Callable[[], str],
) -> None:
    changed_id, added_id = new_plan_id(), new_plan_id()
    before = _written(
        tmp_path / "before.yaml", _with_plans(_exported(client, capsys), _plan(changed_id, 1500))
    )
    assert run(["catalog", "apply", str(before)], client) == NO_CHANGES
    capsys.readouterr()
    after = _written(
        tmp_path / "after.yaml",
        _with_plans(_exported(client, capsys), _plan(changed_id, 1700), _plan(added_id)),
    )
    codes: list[int] = []
    failures: list[BaseException] = []
    start = threading.Barrier(2)

    def apply() -> None:
        with Billfold(local_api.server_key, local_api.url) as own:
            try:
                start.wait()
                codes.append(run(["catalog", "apply", str(after)], own))
            except BaseException as error:
                failures.append(error)

    threads = [threading.Thread(target=apply) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    output = capsys.readouterr()
    assert not failures, failures
    assert codes == [NO_CHANGES, NO_CHANGES], output
    assert run(["catalog", "plan", str(after)], client) == NO_CHANGES, capsys.readouterr()
    changed = client.get_plan(changed_id)
    assert [p["amount"] for p in changed["prices"]] == [1700]
    assert changed["version"] == 2, "the price change was published once"
    assert client.get_plan(added_id)["version"] == 1


def test_removing_a_plan_with_a_subscriber_archives_it(
    client: Billfold,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    new_plan_id: Callable[[], str],
) -> None:
    plan_id = new_plan_id()
    with_plan = _written(
        tmp_path / "with.yaml", _with_plans(_exported(client, capsys), _plan(plan_id))
    )
    assert run(["catalog", "apply", str(with_plan)], client) == NO_CHANGES
    customer_id = f"cli-{uuid.uuid4().hex[:10]}"
    client.create_customer({"id": customer_id, "email": f"{customer_id}@example.com", "name": "C"})
    attach_test_card(customer_id, WORKING_CARD)
    client.create_subscription(customer_id, {"planId": plan_id, "currency": "USD", "trialDays": 0})
    capsys.readouterr()
    catalog = _exported(client, capsys)
    catalog["plans"] = [plan for plan in catalog["plans"] if plan["id"] != plan_id]
    without = _written(tmp_path / "without.yaml", catalog)

    planned = run(["catalog", "plan", str(without)], client)
    planned_out = capsys.readouterr().out
    applied = run(["catalog", "apply", str(without)], client)

    assert (planned, applied) == (CHANGES, NO_CHANGES), capsys.readouterr()
    assert f"- archive plan '{plan_id}'" in planned_out
    assert client.get_plan(plan_id)["status"] == "archived"
    subscription = client.get_subscription(customer_id)
    assert (subscription["planId"], subscription["planVersion"]) == (plan_id, 1)
    assert subscription["status"] == "active"
    assert run(["catalog", "plan", str(without)], client) == NO_CHANGES


def test_a_price_change_never_alters_an_existing_subscription(
    client: Billfold,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    new_plan_id: Callable[[], str],
) -> None:
    plan_id = new_plan_id()
    first = _written(tmp_path / "a.yaml", _with_plans(_exported(client, capsys), _plan(plan_id)))
    assert run(["catalog", "apply", str(first)], client) == NO_CHANGES
    customer_id = f"cli-{uuid.uuid4().hex[:10]}"
    client.create_customer({"id": customer_id, "email": f"{customer_id}@example.com", "name": "C"})
    attach_test_card(customer_id, WORKING_CARD)
    client.create_subscription(customer_id, {"planId": plan_id, "currency": "USD", "trialDays": 0})
    capsys.readouterr()
    raised = _written(
        tmp_path / "b.yaml", _with_plans(_exported(client, capsys), _plan(plan_id, amount=2500))
    )

    assert run(["catalog", "apply", str(raised)], client) == NO_CHANGES
    plan = client.get_plan(plan_id)
    subscription = client.get_subscription(customer_id)
    assert (plan["version"], plan["prices"][0]["amount"]) == (2, 2500)
    assert (subscription["planVersion"], subscription["price"]) == (1, 1500)


def test_reviving_an_archived_plan_is_refused_at_its_line(
    client: Billfold,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    new_plan_id: Callable[[], str],
) -> None:
    plan_id = new_plan_id()
    pricing = _written(tmp_path / "p.yaml", _with_plans(_exported(client, capsys), _plan(plan_id)))
    assert run(["catalog", "apply", str(pricing)], client) == NO_CHANGES
    client.archive_plan(plan_id)
    capsys.readouterr()
    revived = _written(
        tmp_path / "revived.yaml", _with_plans(_exported(client, capsys), _plan(plan_id))
    )

    assert run(["catalog", "apply", str(revived)], client) == FAILED
    line = _line_of(revived, f"id: {plan_id}")
    assert f"{revived}:{line}: plans[" in capsys.readouterr().err


def test_a_coupon_whose_terms_change_is_refused_at_its_line(
    client: Billfold, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    coupon_id = f"cli-{uuid.uuid4().hex[:10]}"
    coupon = {"id": coupon_id, "name": "Ten off", "percentOff": 10, "duration": "once"}
    catalog = _exported(client, capsys)
    first = _written(tmp_path / "first.yaml", {**catalog, "coupons": [*catalog["coupons"], coupon]})
    assert run(["catalog", "apply", str(first)], client) == NO_CHANGES
    capsys.readouterr()
    catalog = _exported(client, capsys)
    catalog["coupons"] = [
        {**c, "percentOff": 25} if c["id"] == coupon_id else c for c in catalog["coupons"]
    ]
    changed = _written(tmp_path / "changed.yaml", catalog)
    index = [c["id"] for c in catalog["coupons"]].index(coupon_id)

    applied = run(["catalog", "apply", str(changed)], client)
    error = capsys.readouterr().err
    planned = run(["catalog", "plan", str(changed)], client)

    assert (applied, planned) == (FAILED, FAILED)
    line = _line_of(changed, f"id: {coupon_id}")
    assert f"{changed}:{line}: coupons[{index}]: " in error, error
    assert "cannot change percentOff" in error
    assert client.get_coupon(coupon_id)["percentOff"] == 10


def test_a_value_billfold_refuses_is_reported_at_its_line(
    client: Billfold,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    new_plan_id: Callable[[], str],
) -> None:
    plan_id = new_plan_id()
    broken = _plan(plan_id)
    broken["prices"].append({"billingPeriod": "annual", "currency": "USD", "amount": -500})
    catalog = _with_plans(_exported(client, capsys), broken)
    pricing = _written(tmp_path / "pricing.yaml", catalog)
    index = [plan["id"] for plan in catalog["plans"]].index(plan_id)

    applied = run(["catalog", "apply", str(pricing)], client)
    error = capsys.readouterr().err

    assert applied == FAILED
    line = _line_of(pricing, "amount: -500")
    assert f"{pricing}:{line}: plans[{index}].prices[1].amount: " in error, error
    with pytest.raises(NotFound):
        client.get_plan(plan_id)
