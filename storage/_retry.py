"""Telling a passing database outage from a real error, and waiting the outage out.

A PostgreSQL restart, a dropped connection or a busy SQLite file is *transient*: the same call
succeeds once the database answers again. Anything else (a constraint, a missing table, bad SQL)
is raised at once.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

import optuna
import sqlalchemy.exc

from storage._disk_full import POSTGRES_DISK_FULL
from storage._url import mask_secrets

log = logging.getLogger("hpsearch.storage")
T = TypeVar("T")

FIRST_DELAY_S = 0.2
MAX_DELAY_S = 5.0
_SQLITE_TRANSIENT = ("database is locked", "database table is locked", "database is busy")


def _exception_chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception it was raised from or while handling, each once."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [current.__cause__, current.__context__]


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, sqlalchemy.exc.TimeoutError):  # every pooled connection busy
        return True
    if not isinstance(exc, sqlalchemy.exc.DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if isinstance(exc, sqlalchemy.exc.InterfaceError):
        return True
    if isinstance(exc, sqlalchemy.exc.OperationalError):
        if isinstance(exc.orig, sqlite3.Error):
            # SQLite reports both a held lock and, say, a missing table as OperationalError.
            return any(text in str(exc.orig).lower() for text in _SQLITE_TRANSIENT)
        # PostgreSQL: connection refused, server shut down, connection lost; not its disk
        # full, which waiting does not end and a worker says as such (storage._disk_full).
        return getattr(exc.orig, "sqlstate", None) != POSTGRES_DISK_FULL
    return False


def is_connection_error(exc: BaseException) -> bool:
    """True when ``exc``, or an exception it came from, means the database could not be reached
    or was busy (retrying the same call later can succeed)."""
    return any(_is_transient(e) for e in _exception_chain(exc))


def connection_error_text(exc: BaseException) -> str:
    """What the driver said about the lost connection behind ``exc`` (first line), rather than
    the wrappers' words around it; passwords are the caller's to mask."""
    for e in _exception_chain(exc):
        if _is_transient(e):
            said = str(getattr(e, "orig", None) or e).strip()
            return said.splitlines()[0] if said else type(e).__name__
    said = str(exc).strip()
    return said.splitlines()[0] if said else type(exc).__name__


def backoff_delays(first_s: float = FIRST_DELAY_S, max_s: float = MAX_DELAY_S) -> Iterator[float]:
    """0.2 s, 0.4 s, 0.8 s ... doubling up to ``max_s``, then ``max_s`` forever."""
    delay = first_s
    while True:
        yield delay
        delay = min(2 * delay, max_s)


class Outages:
    """What one process has seen of the database: is it failing now, and since when has it been
    answering again. Shared by all threads of a storage (main, heartbeat, stale-trial watch)."""

    def __init__(self, url: str):
        self._url = url
        self._lock = threading.Lock()
        self.failing_since: float | None = None
        self.recovered_at: float = float("-inf")

    def failed(self, exc: BaseException, window_s: float) -> None:
        with self._lock:
            first = self.failing_since is None
            if first:
                self.failing_since = time.monotonic()
        if first:
            reason = mask_secrets(connection_error_text(exc), self._url)
            log.warning("database unreachable (%s); retrying with backoff for up to %.0fs",
                        reason, window_s)

    def answered(self) -> None:
        with self._lock:
            since, self.failing_since = self.failing_since, None
            if since is not None:
                self.recovered_at = time.monotonic()
        if since is not None:
            log.warning("database reachable again after %.1fs", time.monotonic() - since)

    def steady_for(self) -> float:
        """Seconds the database has answered without a failure (0 while it is failing)."""
        with self._lock:
            if self.failing_since is not None:
                return 0.0
            return time.monotonic() - self.recovered_at


RETRIED_ERRORS = (sqlalchemy.exc.SQLAlchemyError, optuna.exceptions.StorageInternalError)


def call_with_retry(call: Callable[[], T], *, window_s: float, outages: Outages,
                    sleep: Callable[[float], None] = time.sleep) -> T:
    """``call()``, retried with backoff while it fails with a connection error, for at most
    ``window_s`` seconds; the last error is raised after that (and any other error at once)."""
    start = time.monotonic()
    delays = backoff_delays()
    while True:
        try:
            result = call()
        except RETRIED_ERRORS as exc:
            if not is_connection_error(exc):
                raise
            outages.failed(exc, window_s)
            delay = next(delays)
            if time.monotonic() - start + delay > window_s:
                raise
            sleep(delay)
            continue
        outages.answered()
        return result
