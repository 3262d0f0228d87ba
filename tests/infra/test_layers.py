"""The two layers, as synthesized: shared packages, and deps built for Lambda (cp314 aarch64)."""

from pathlib import Path

import pytest

from tests.infra.assembly import REPO_ROOT, Assembly, tree_contents

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("infra-dev")]


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
    assert not list(python.rglob("__pycache__"))


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
    assert not list(python.rglob("__pycache__"))
