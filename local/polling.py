"""The background loop the local stand-ins for Lambda's event sources share: poll, wait, poll
again on a daemon thread until stopped; an error is logged and polling goes on. While there is
work it polls every `interval`; idle, it waits twice as long each time, up to
`idle_interval` (moto serves one request at a time: idle polling slows everything else)."""

import logging
import threading
from abc import ABC, abstractmethod

log = logging.getLogger(__name__)


class Poller(ABC):
    """Runs `poll_once` in the background: every `interval` seconds while it finds work,
    backing off to every `idle_interval` seconds while it finds none."""

    interval: float
    idle_interval: float

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._wakeup = threading.Event()
        self._thread: threading.Thread | None = None

    @abstractmethod
    def poll_once(self) -> bool:
        """One round of polling; whether it found work (it may raise: the loop logs it and
        goes on)."""

    def _run(self) -> None:
        wait = self.interval
        while not self._stop.is_set():
            try:
                busy = self.poll_once()
            except Exception:
                log.exception("%s failed; polling on", type(self).__name__)
                busy = False
            wait = self.interval if busy else min(wait * 2, self.idle_interval)
            if self._wakeup.wait(wait):
                self._wakeup.clear()
                wait = self.interval

    def wake(self) -> None:
        """Poll now: another poller just made work for this one (as an event source's
        trigger would)."""
        self._wakeup.set()

    def start(self) -> None:
        """Poll on a daemon thread until `stop()`."""
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop polling, once the round in progress is done."""
        self._stop.set()
        self._wakeup.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
