"""The two layers, as synthesized: shared packages, and deps built for Lambda (cp314 aarch64)."""

from pathlib import Path

import pytest

from tests.infra.assembly import REPO_ROOT, Assembly, tree_contents

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("infra-dev")]


def assert_compiled_for_the_runtime(python: Path) -> None:
    """Every module has its unchecked-hash .pyc for the runtime (cpython-314), one magic number
    for all, and no bytecode of another interpreter is shipped."""
    modules = list(python.rglob("*.py"))
    assert modules
    magics = set()
    for module in modules:
        pyc = module.parent / "__pycache__" / f"{module.stem}.cpython-314.pyc"
        assert pyc.is_file(), module
        header = pyc.read_bytes()[:16]
        assert int.from_bytes(header[4:8], "little") == 0b01, pyc
        magics.add(header[:4])
    assert len(magics) == 1
    assert [p for p in python.rglob("*.pyc") if ".cpython-314." not in p.name] == []


def layer_assets(dev: Assembly) -> dict[str, Path]:
    layers = {}
    for layer in dev.layers.values():
        properties = layer["Properties"]
        assert properties["CompatibleRuntimes"] == ["python3.14"]
        assert properties["CompatibleArchitectures"] == ["arm64"]
        asset = dev.asset_dir(properties["Content"])
        layers[dev.layer_kind(asset)] = asset
    assert set(layers) == {"shared", "deps"}
    return layers


def test_shared_layer_is_exactly_the_shared_packages(dev: Assembly) -> None:
    python = layer_assets(dev)["shared"] / "python"
    assert sorted(p.name for p in python.iterdir()) == ["billfold", "billfold_lambda"]
    for package in ("billfold", "billfold_lambda"):
        assert tree_contents(python / package) == tree_contents(
            REPO_ROOT / "layers" / "shared" / package
        )
    assert_compiled_for_the_runtime(python)


def test_deps_layer_holds_lambda_binaries(dev: Assembly) -> None:
    python = layer_assets(dev)["deps"] / "python"
    assert list((python / "pydantic_core").glob("*.cpython-314-aarch64-linux-gnu.so"))
    assert not [p for p in python.rglob("*.so") if "x86_64" in p.name or "cpython-311" in p.name]
    for package in ("aws_lambda_powertools", "pydantic", "stripe", "aws_xray_sdk"):
        assert (python / package).is_dir(), package


def test_deps_layer_leaves_the_aws_sdk_to_the_runtime(dev: Assembly) -> None:
    python = layer_assets(dev)["deps"] / "python"
    for package in ("boto3", "botocore", "s3transfer"):
        assert not (python / package).exists(), package
        assert not list(python.glob(f"{package}-*.dist-info")), package


def test_deps_layer_ships_the_runtimes_bytecode(dev: Assembly) -> None:
    assert_compiled_for_the_runtime(layer_assets(dev)["deps"] / "python")
