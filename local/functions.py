"""Loading the Lambda handlers from `functions/<operation>/handler.py`, as Lambda would: each
function runs in several containers at once, each one invocation at a time."""

import importlib.util
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from local.containers import isolate_threads

FUNCTIONS_DIR = Path(__file__).resolve().parent.parent / "functions"
CONTAINERS = 4
"""Containers per function: requests beyond this many at once wait for one to be free."""


def _import(path: Path, module_name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise LookupError(f"no handler at {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class _Containers:
    """One function's containers: separately imported copies of its handler module (Powertools
    keeps the current request on module-level objects), started only when all are busy."""

    def __init__(self, path: Path, name: str, limit: int) -> None:
        self._path = path
        self._name = name
        self._limit = limit
        self._started = 0
        self._idle: list[ModuleType] = []
        self._changed = threading.Condition()

    def acquire(self) -> ModuleType:
        """An idle container, a new one if none is idle, or the next freed one at the limit."""
        with self._changed:
            while not self._idle and self._started >= self._limit:
                self._changed.wait()
            if self._idle:
                return self._idle.pop()
            self._started += 1
            index = self._started
        try:
            suffix = "" if index == 1 else f"_container{index}"
            return _import(self._path, f"billfold_functions.{self._name}{suffix}")
        except BaseException:
            with self._changed:
                self._started -= 1
                self._changed.notify()
            raise

    def release(self, module: ModuleType) -> None:
        """Give a container back after its invocation."""
        with self._changed:
            self._idle.append(module)
            self._changed.notify()


class FunctionLoader:
    """Each function's containers, imported on first use (thread-safe)."""

    def __init__(self, functions_dir: Path = FUNCTIONS_DIR, containers: int = CONTAINERS) -> None:
        isolate_threads()
        self._dir = functions_dir
        self._limit = containers
        self._functions: dict[str, _Containers] = {}
        self._lock = threading.Lock()

    def _containers(self, name: str) -> _Containers:
        with self._lock:
            if name not in self._functions:
                path = self._dir / name / "handler.py"
                self._functions[name] = _Containers(path, name, self._limit)
            return self._functions[name]

    @contextmanager
    def container(self, name: str) -> Iterator[ModuleType]:
        """The handler module of one of function `name`'s containers, for one invocation."""
        containers = self._containers(name)
        module = containers.acquire()
        try:
            yield module
        finally:
            containers.release(module)

    def module(self, name: str) -> ModuleType:
        """A handler module of function `name`, to read what it declares (its route, its API)."""
        with self.container(name) as module:
            return module
