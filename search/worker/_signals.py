"""SIGTERM and SIGINT in a worker: interrupt the running trial, start no other, exit cleanly."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Iterator
from types import FrameType, TracebackType
from typing import Any

from search._errors import WorkerInterrupted

log = logging.getLogger("hpsearch")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopSignals:
    """Turns SIGTERM/SIGINT into a stop request while installed (``with StopSignals() as s``).

    Inside ``interruptible()`` (the training of a trial) the signal raises ``WorkerInterrupted``
    at once; anywhere else, database writes included, it only records the request and stops
    the study after the current trial, so no write is cut in half. ``deferred()`` shields a
    write inside training and raises on leaving it if a signal came meanwhile.
    Installed only in the main thread (Python delivers signals there); elsewhere inert.
    """

    def __init__(self) -> None:
        self.requested: str | None = None
        self.study: Any = None
        self._interruptible = False
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> StopSignals:
        if threading.current_thread() is threading.main_thread():
            for sig in STOP_SIGNALS:
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)
        self._previous.clear()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        first = self.requested is None
        self.requested = name
        if first:
            log.warning("%s received: stopping after marking the current trial interrupted",
                        name)
        if self.study is not None:
            with contextlib.suppress(RuntimeError):  # not inside optimize (yet)
                self.study.stop()
        if self._interruptible:
            self._interruptible = False
            raise WorkerInterrupted(name)

    def check(self) -> None:
        """Raise ``WorkerInterrupted`` if a stop was requested."""
        if self.requested:
            raise WorkerInterrupted(self.requested)

    @contextlib.contextmanager
    def interruptible(self) -> Iterator[None]:
        self.check()
        self._interruptible = True
        try:
            yield
        finally:
            self._interruptible = False

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        outer, self._interruptible = self._interruptible, False
        try:
            yield
        finally:
            self._interruptible = outer
        if outer:
            self.check()
