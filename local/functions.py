"""Loading the Lambda handlers from `functions/<operation>/handler.py`, as Lambda would."""

import importlib.util
import sys
import threading
from pathlib import Path
from types import ModuleType

FUNCTIONS_DIR = Path(__file__).resolve().parent.parent / "functions"


class FunctionLoader:
    """Imports each function's handler module once, on first use (thread-safe)."""

    def __init__(self, functions_dir: Path = FUNCTIONS_DIR) -> None:
        self._dir = functions_dir
        self._modules: dict[str, ModuleType] = {}
        self._lock = threading.Lock()

    def module(self, name: str) -> ModuleType:
        """The handler module of function `name`."""
        with self._lock:
            if name not in self._modules:
                path = self._dir / name / "handler.py"
                spec = importlib.util.spec_from_file_location(f"billfold_functions.{name}", path)
                if spec is None or spec.loader is None:
                    raise LookupError(f"no handler at {path}")
                module = importlib.util.module_from_spec(spec)
                sys.modules[spec.name] = module
                spec.loader.exec_module(module)
                self._modules[name] = module
            return self._modules[name]
