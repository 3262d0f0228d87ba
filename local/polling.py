"""The background loop the local stand-ins for Lambda's event sources share: poll, wait, poll
again on a daemon thread until stopped; an error is logged and polling goes on."""

import logging
import threading
from abc import ABC, abstractmethod

log = logging.getLogger(__name__)


class Poller(ABC):
    """Runs `poll_once` every `interval` seconds in the background, or on demand."""

    interval: float

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @abstractmethod
    def poll_once(self) -> None:
        """One round of polling (it may raise: the loop logs it and goes on)."""

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:
                log.exception("%s failed; polling on", type(self).__name__)
            self._stop.wait(self.interval)

    def start(self) -> None:
        """Poll on a daemon thread until `stop()`."""
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop polling, once the round in progress is done."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
