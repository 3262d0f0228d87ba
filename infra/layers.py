"""Stage the two Lambda layers' contents under `.build/layers/` before the CDK app synthesizes.

A layer zip must hold its packages under `python/` (Lambda puts `/opt/python` on `sys.path`), so
each staged directory is `<dest>/python/...` and the CDK asset is `<dest>`.

Both layers ship bytecode compiled by the runtime's own interpreter, as unchecked-hash .pyc:
Lambda's `/opt` is read-only, so a layer without bytecode is compiled from source again on
every cold start. This machine's interpreter is not the runtime's, so `infra/bytecode/` runs
the runtime's CPython as Pyodide's WebAssembly build under Node.js (the bytecode is the same).
"""

import fcntl
import filecmp
import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from infra import constants

PYTHON_DIR = "python"
_BYTECODE = ("__pycache__", "*.pyc")


@dataclass(frozen=True)
class LayerDirs:
    """The staged layer directories, ready to be CDK assets."""

    shared: Path
    deps: Path


@dataclass(frozen=True)
class DepsTarget:
    """The interpreter and platform the deps layer is installed for (the Lambda runtime's)."""

    python_version: str
    platform: str
    implementation: str = "cp"

    @property
    def cache_tag(self) -> str:
        """The interpreter's `__pycache__` tag (`cpython-314`)."""
        return "cpython-" + self.python_version.replace(".", "")


def compile_bytecode(python: Path, cache_tag: str = constants.PYC_CACHE_TAG) -> None:
    """Compile every module under `python` for the interpreter whose cache tag is `cache_tag`
    (unchecked-hash .pyc in `__pycache__`), or raise naming what failed."""
    tool = constants.BYTECODE_TOOL
    if not (tool / "node_modules" / "pyodide").is_dir():
        raise RuntimeError(f"the bytecode compiler is not installed: npm ci --prefix {tool}")
    command = ["node", str(tool / "compile.mjs"), str(python.resolve()), cache_tag]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"could not compile {python} for {cache_tag}:\n{result.stderr}")


def is_compiled(python: Path, cache_tag: str = constants.PYC_CACHE_TAG) -> bool:
    """Whether every module under `python` has its bytecode for `cache_tag`."""
    return all(
        (module.parent / "__pycache__" / f"{module.stem}.{cache_tag}.pyc").is_file()
        for module in python.rglob("*.py")
    )


def stage_layers(build_dir: Path = constants.LAYER_BUILD_DIR) -> LayerDirs:
    """Stage both layers for billfold's Lambda runtime and architecture."""
    target = DepsTarget(constants.PIP_PYTHON_VERSION, constants.PIP_PLATFORM)
    return LayerDirs(
        shared=stage_shared_layer(
            constants.SHARED_LAYER_SOURCE, constants.SHARED_LAYER_PACKAGES, build_dir / "shared"
        ),
        deps=stage_deps_layer(
            constants.DEPS_REQUIREMENTS,
            build_dir / "deps",
            target,
            prune=constants.RUNTIME_PROVIDED_PACKAGES,
        ),
    )


def stage_shared_layer(source: Path, packages: Sequence[str], dest: Path) -> Path:
    """Copy `source/<package>` for each package into `dest/python/` (leaving this machine's
    bytecode behind) and compile it for the runtime.

    Leaves `dest` alone when it already matches, so a concurrent synth reading it is unharmed.
    """
    with _exclusive(dest):
        python = dest / PYTHON_DIR
        if _holds_exactly(python, source, packages) and is_compiled(python):
            return dest
        shutil.rmtree(dest, ignore_errors=True)
        for package in packages:
            shutil.copytree(
                source / package, python / package, ignore=shutil.ignore_patterns(*_BYTECODE)
            )
        compile_bytecode(python)
    return dest


def _holds_exactly(python: Path, source: Path, packages: Sequence[str]) -> bool:
    """Whether `python` holds exactly the packages, identical to their sources."""
    if not python.is_dir() or sorted(p.name for p in python.iterdir()) != sorted(packages):
        return False
    return all(_same_tree(source / package, python / package) for package in packages)


def _same_tree(source: Path, copy: Path) -> bool:
    """Whether `copy` holds exactly `source`'s files (bytecode aside), with the same contents."""
    comparison = filecmp.dircmp(source, copy, ignore=["__pycache__"])
    _, mismatch, errors = filecmp.cmpfiles(source, copy, comparison.common_files, shallow=False)
    if comparison.left_only or comparison.right_only or mismatch or errors:
        return False
    return all(_same_tree(source / name, copy / name) for name in comparison.common_dirs)


def stage_deps_layer(
    requirements: Path, dest: Path, target: DepsTarget, prune: Sequence[str] = ()
) -> Path:
    """pip-install `requirements` into `dest/python/` for `target`, then remove `prune`d packages.

    Skips pip when the stamp next to `dest` holds the hash of the same requirements, target and
    prune list (delete `.build/` to force a fresh install, e.g. to pick up new releases).
    """
    stamp = dest.with_name(f"{dest.name}.stamp")
    digest = _deps_digest(requirements, target, prune)
    with _exclusive(dest):
        if (dest / PYTHON_DIR).is_dir() and stamp.is_file() and stamp.read_text() == digest:
            return dest
        print(
            f"billfold: installing {requirements.name} for python{target.python_version} "
            f"{target.platform} into {dest} (cached afterwards)",
            file=sys.stderr,
        )
        staging = dest.with_name(f"{dest.name}.partial")
        shutil.rmtree(staging, ignore_errors=True)
        _pip_install(requirements, staging / PYTHON_DIR, target)
        _prune(staging / PYTHON_DIR, prune)
        compile_bytecode(staging / PYTHON_DIR, target.cache_tag)
        shutil.rmtree(dest, ignore_errors=True)
        staging.rename(dest)
        stamp.write_text(digest)
    return dest


def _deps_digest(requirements: Path, target: DepsTarget, prune: Sequence[str]) -> str:
    """What the deps layer's content depends on (the bytecode compiler's version too), hashed."""
    inputs = json.dumps([target.python_version, target.platform, target.implementation, *prune])
    compiler = (constants.BYTECODE_TOOL / "package-lock.json").read_bytes()
    return hashlib.sha256(requirements.read_bytes() + inputs.encode() + compiler).hexdigest()


def _pip_install(requirements: Path, target_dir: Path, target: DepsTarget) -> None:
    """Install binary wheels for the target interpreter and platform (never this machine's)."""
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--no-compile", "--only-binary=:all:",
        "--platform", target.platform,
        "--implementation", target.implementation,
        "--python-version", target.python_version,
        "--target", str(target_dir),
        "-r", str(requirements),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(
            f"pip could not build the deps layer ({' '.join(command)}):\n{result.stderr}"
        )


def _prune(site: Path, packages: Sequence[str]) -> None:
    """Remove packages (and their metadata), console scripts and any bytecode from a pip
    target (the runtime's is compiled afterwards)."""
    for package in packages:
        shutil.rmtree(site / package, ignore_errors=True)
        for metadata in site.glob(f"{package}-*.dist-info"):
            shutil.rmtree(metadata)
    shutil.rmtree(site / "bin", ignore_errors=True)
    for cache in list(site.rglob("__pycache__")):
        shutil.rmtree(cache)


@contextmanager
def _exclusive(dest: Path) -> Iterator[None]:
    """Hold a lock on `dest` so parallel synths (e.g. pytest-xdist workers) don't interleave."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.with_name(f".{dest.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
