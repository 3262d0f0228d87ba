"""Layer staging (infra.layers) without pip: what gets copied, pruned, and when pip is skipped."""

from pathlib import Path

import pytest

from infra import layers
from infra.constructs.functions import route_statements

TARGET = layers.DepsTarget("3.14", "manylinux2014_aarch64")
PRUNE = ("boto3", "botocore")


@pytest.fixture
def pip_runs(monkeypatch: pytest.MonkeyPatch) -> list[layers.DepsTarget]:
    """Replace pip with a fake that installs pydantic plus the AWS SDK, recording each run."""
    runs: list[layers.DepsTarget] = []

    def fake_pip(requirements: Path, target_dir: Path, target: layers.DepsTarget) -> None:
        runs.append(target)
        for package in ("pydantic", "boto3", "botocore"):
            (target_dir / package / "__pycache__").mkdir(parents=True)
            (target_dir / package / "__init__.py").write_text(requirements.read_text())
        (target_dir / "botocore-1.40.0.dist-info").mkdir()
        (target_dir / "bin").mkdir()

    monkeypatch.setattr(layers, "_pip_install", fake_pip)
    return runs


def test_deps_layer_prunes_the_sdk_scripts_and_bytecode(tmp_path: Path, pip_runs: list) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pydantic\n")
    dest = layers.stage_deps_layer(requirements, tmp_path / "deps", TARGET, PRUNE)
    python = dest / "python"
    assert sorted(p.name for p in python.iterdir()) == ["pydantic"]
    assert [p.name for p in python.rglob("*.pyc")] == ["__init__.cpython-314.pyc"]


def test_deps_layer_reinstalls_only_when_its_inputs_change(tmp_path: Path, pip_runs: list) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pydantic\n")
    dest = tmp_path / "deps"
    layers.stage_deps_layer(requirements, dest, TARGET, PRUNE)
    layers.stage_deps_layer(requirements, dest, TARGET, PRUNE)
    assert len(pip_runs) == 1, "same requirements, target and prune list: cached"
    layers.stage_deps_layer(requirements, dest, layers.DepsTarget("3.14", "x86_64"), PRUNE)
    assert len(pip_runs) == 2, "another platform"
    layers.stage_deps_layer(requirements, dest, TARGET, PRUNE)
    assert len(pip_runs) == 3, "back to aarch64"
    requirements.write_text("pydantic\nstripe\n")
    layers.stage_deps_layer(requirements, dest, TARGET, PRUNE)
    assert len(pip_runs) == 4, "requirements changed"
    assert (dest / "python" / "pydantic" / "__init__.py").read_text() == "pydantic\nstripe\n"


def test_deps_layer_reinstalls_when_the_staged_files_are_gone(
    tmp_path: Path, pip_runs: list
) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pydantic\n")
    dest = layers.stage_deps_layer(requirements, tmp_path / "deps", TARGET, PRUNE)
    (dest / "python").rename(tmp_path / "elsewhere")
    layers.stage_deps_layer(requirements, dest, TARGET, PRUNE)
    assert len(pip_runs) == 2
    assert (dest / "python" / "pydantic").is_dir()


def test_shared_layer_copies_packages_with_the_runtimes_bytecode_only(tmp_path: Path) -> None:
    source = tmp_path / "src"
    for package in ("alpha", "beta", "gamma"):
        (source / package / "__pycache__").mkdir(parents=True)
        (source / package / "__init__.py").write_text(package)
        (source / package / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    dest = layers.stage_shared_layer(source, ["alpha", "beta"], tmp_path / "shared")
    staged = sorted(str(p.relative_to(dest)) for p in dest.rglob("*"))
    assert staged == [
        "python",
        "python/alpha",
        "python/alpha/__init__.py",
        "python/alpha/__pycache__",
        "python/alpha/__pycache__/__init__.cpython-314.pyc",
        "python/beta",
        "python/beta/__init__.py",
        "python/beta/__pycache__",
        "python/beta/__pycache__/__init__.cpython-314.pyc",
    ]
    (source / "alpha" / "__init__.py").write_text("changed")
    layers.stage_shared_layer(source, ["alpha", "beta"], dest)
    assert (dest / "python" / "alpha" / "__init__.py").read_text() == "changed"


def test_a_need_without_iam_statements_is_refused() -> None:
    with pytest.raises(ValueError, match="no IAM statements"):
        route_statements(frozenset({"queue_purge"}), grantables=None)  # type: ignore[arg-type]


def test_bytecode_is_the_runtimes_unchecked_hash_pyc(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text("VALUE = 1\n")

    layers.compile_bytecode(tmp_path, "cpython-314")

    header = (tmp_path / "pkg" / "__pycache__" / "mod.cpython-314.pyc").read_bytes()[:16]
    assert header[2:4] == b"\r\n"
    assert int.from_bytes(header[4:8], "little") == 0b01, "hash-based, never checked"
    assert layers.is_compiled(tmp_path)


def test_bytecode_for_another_interpreter_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text("VALUE = 1\n")

    with pytest.raises(RuntimeError, match="cpython-313"):
        layers.compile_bytecode(tmp_path, "cpython-313")


def test_a_module_that_does_not_compile_fails_the_build(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def (:\n")

    with pytest.raises(RuntimeError, match="did not compile"):
        layers.compile_bytecode(tmp_path, "cpython-314")
