"""Many Lambda containers in one process.

In Lambda each container is a process running one invocation at a time, so Powertools keeps
the current invocation in process-wide places: the event and context on the `BaseRouter`
class, and the logger's keys (function_name, correlation_id…) in its one formatter. Here
invocations run on threads side by side, so those places are made per thread; a thread that
never set them sees the keys the formatter started with. Lambda itself is untouched.
"""

import threading
from abc import ABCMeta
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import BaseRouter
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

from billfold_lambda.observability import logger

_router_state = threading.local()


class _PerThread:
    """An attribute whose value belongs to the thread that set it."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        try:
            return getattr(_router_state, self._name)
        except AttributeError:
            raise AttributeError(self._name) from None

    def __set__(self, instance: object, value: Any) -> None:
        setattr(_router_state, self._name, value)


class _PerThreadRouterMeta(ABCMeta):
    """BaseRouter's metaclass here, so that `BaseRouter.current_event = …` (as every resolver's
    `resolve()` does) sets the calling thread's event."""

    current_event = _PerThread("current_event")
    lambda_context = _PerThread("lambda_context")


class _PerThreadKeysFormatter(LambdaPowertoolsFormatter):
    """The logger's formatter, with the keys invocations append kept per thread."""

    _threads: threading.local
    _initial: dict[str, Any]

    @property
    def log_format(self) -> dict[str, Any]:
        """This thread's keys (at first, a copy of the keys the formatter started with)."""
        if not hasattr(self._threads, "keys"):
            self._threads.keys = dict(self._initial)
        keys: dict[str, Any] = self._threads.keys
        return keys

    @log_format.setter
    def log_format(self, keys: dict[str, Any]) -> None:
        self._threads.keys = keys


def _isolate_router() -> None:
    if isinstance(BaseRouter, _PerThreadRouterMeta):
        return
    for name in ("current_event", "lambda_context"):
        setattr(BaseRouter, name, _PerThread(name))  # where instances read it
    BaseRouter.__class__ = _PerThreadRouterMeta  # type: ignore[method-assign, assignment]


def _isolate_log_keys() -> None:
    formatter = logger.registered_formatter
    if isinstance(formatter, _PerThreadKeysFormatter):
        return
    formatter.__dict__["_threads"] = threading.local()
    formatter.__dict__["_initial"] = formatter.__dict__["log_format"]
    formatter.__class__ = _PerThreadKeysFormatter


def isolate_threads() -> None:
    """Give each thread its own Powertools invocation state (idempotent)."""
    _isolate_router()
    _isolate_log_keys()
