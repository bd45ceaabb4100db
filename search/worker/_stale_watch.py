"""A worker's watch over the other workers: fail and re-queue trials whose worker died.

Optuna looks for stale trials only when a worker starts a trial, so a trial whose worker was
killed could stay RUNNING for as long as every other worker is busy with a long trial. This
thread looks every heartbeat interval, whatever its worker is doing.

The bound that follows: while any other worker of the study runs and the database has answered
for the last grace period, a dead worker's trial is failed and queued again within
grace + interval (+ one check, well under a second) of the death; grace + 2 x interval if the
worker died before its first heartbeat (the first check stamps one). With no other worker
alive, the next worker to start does it, once the grace period has passed.
"""

from __future__ import annotations

import logging
import threading
import warnings
from types import TracebackType

import optuna

import storage

log = logging.getLogger("hpsearch")


def fail_stale_trials(study: optuna.Study) -> None:
    """Fail the study's trials that stopped heartbeating, and queue them again (one pass)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)


class StaleTrialWatch:
    """``with StaleTrialWatch(study, interval):`` runs ``fail_stale_trials`` every ``interval``
    seconds in a daemon thread until the block ends."""

    def __init__(self, study: optuna.Study, interval: float, url: str):
        self.study = study
        self.interval = interval
        self.url = url
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hpsearch-stale-watch",
                                        daemon=True)

    def __enter__(self) -> StaleTrialWatch:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                fail_stale_trials(self.study)
            except Exception as exc:  # a watch that dies silently would watch nothing
                level = logging.DEBUG if storage.is_connection_error(exc) else logging.WARNING
                log.log(level, "stale-trial check failed (%s); next one in %ss",
                        storage.mask_secrets(storage.connection_error_text(exc), self.url),
                        self.interval)
