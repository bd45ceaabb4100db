"""The TF-IDF + logistic-regression baseline, computed beside the trials rather than inside
``create``: on 24,000 rows and 53 classes it takes minutes, which a two-minute search cannot
wait for. The first worker to finish a trial claims it (a study attribute) and fits it in a
process of its own while the trials go on; the result becomes one of the study's baselines
when it is ready (``search.study.BASELINES_ATTR``). A claim older than ``STALE_CLAIM_S``
(its worker died) may be taken over.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

import optuna

from search.study import BASELINES_ATTR, StudyConfig
from spaces import Task
from spaces.features import StudyData

log = logging.getLogger("hpsearch")
NAME = "tfidf_logreg"
CLAIM_ATTR = "hpsearch_baselines_claim"
STALE_CLAIM_S = 1800.0
# Below this many training rows the baseline takes less than starting a process would (about
# two seconds), so it is fitted in the worker's own process, between two trials.
IN_PROCESS_ROWS = 5000


def _baseline_metrics(task: str, data: dict[str, Any], classes: list[str],
            seed: int) -> dict[str, float] | str:
    """The baseline's metrics, or the error's text (a baseline never fails the search)."""
    from search.data import tfidf_baseline

    try:
        return tfidf_baseline(Task(task), data["train_texts"], data["y_train"],
                              data["val_texts"], data["y_val"], classes, seed)
    except Exception as exc:  # logged by the worker
        return f"{type(exc).__name__}: {exc}"


def _child(conn: Connection, task: str, data: dict[str, Any], classes: list[str],
           seed: int) -> None:
    """The child process: fit the baseline, send what ``_baseline_metrics`` gives; exit if
    the worker that started it dies (a worker killed outright runs no clean-up)."""
    threading.Thread(target=_exit_with, args=(os.getppid(),), daemon=True).start()
    try:
        conn.send(_baseline_metrics(task, data, classes, seed))
    finally:
        conn.close()


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(2.0)
    os._exit(0)


class BaselineJob:
    """The baseline of one study, as one worker sees it."""

    def __init__(self, study: optuna.Study, data: StudyData | None, config: StudyConfig,
                 worker: str, clock: Any = time.time):
        self.study, self.data, self.config = study, data, config
        self.worker, self.clock = worker, clock
        self.process: multiprocessing.process.BaseProcess | None = None
        self.conn: Connection | None = None
        self.started, self.tried = 0.0, False

    def needed(self) -> bool:
        """True when the study has no such baseline, this worker has not tried it yet, and no
        other worker alive is computing it."""
        attrs = self.study.user_attrs
        if self.tried or NAME in (attrs.get(BASELINES_ATTR) or {}):
            return False
        claim = attrs.get(CLAIM_ATTR)
        return (not claim or claim["worker"] == self.worker
                or self.clock() - claim["at"] > STALE_CLAIM_S)

    def start(self) -> None:
        """Claim the baseline and fit it (here on small data, else in a process of its own),
        unless it is not needed."""
        if self.process is not None or self.data is None or not self.needed():
            return
        self.study.set_user_attr(CLAIM_ATTR, {"worker": self.worker, "at": self.clock()})
        self.started, self.tried = time.monotonic(), True
        args = (self.config.task.value,
                {"train_texts": self.data.train_texts, "y_train": self.data.y_train,
                 "val_texts": self.data.val_texts, "y_val": self.data.y_val},
                self.config.classes, self.config.data.seed)
        if len(self.data.train_texts) < IN_PROCESS_ROWS:
            self._record(_baseline_metrics(*args))
            return
        context = multiprocessing.get_context("spawn")  # TensorFlow's threads forbid fork
        self.conn, child = context.Pipe(duplex=False)
        self.process = context.Process(target=_child, args=(child, *args), daemon=True,
                                       name="hpsearch-baseline")
        self.process.start()
        child.close()
        log.info("computing the TF-IDF + logistic regression baseline beside the trials")

    def after_trial(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        """An Optuna callback: start once a trial has finished, record once ready."""
        if trial.state in (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED):
            self.start()
        self.poll()

    def poll(self, wait_s: float = 0.0) -> bool:
        """Record the baseline if it is ready (waiting up to ``wait_s``); True when done."""
        if self.conn is None:
            return True
        if not self.conn.poll(max(wait_s, 0.0)):
            return False
        try:
            found = self.conn.recv()
        except EOFError:
            found = "the baseline's process ended without a result"
        self._close()
        self._record(found)
        return True

    def _record(self, found: dict[str, float] | str) -> None:
        if isinstance(found, str):
            log.warning("the TF-IDF + logistic regression baseline failed: %s", found)
            return
        baselines = dict(self.study.user_attrs.get(BASELINES_ATTR, {}))
        baselines[NAME] = found
        self.study.set_user_attr(BASELINES_ATTR, baselines)
        log.info("TF-IDF + logistic regression baseline ready (%.0fs)",
                 time.monotonic() - self.started)

    def finish(self, deadline: float | None) -> None:
        """Wait for the baseline until ``deadline`` (``time.monotonic()``; None: until it is
        done); past it, stop it and give up the claim for another worker to take."""
        if self.conn is None:
            return
        wait = None if deadline is None else deadline - time.monotonic()
        if self.poll(wait_s=3600.0 * 24 if wait is None else wait):
            return
        log.info("the TF-IDF + logistic regression baseline did not finish within the budget; "
                 "the next worker of this study computes it")
        self.stop()

    def stop(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
            self.study.set_user_attr(CLAIM_ATTR, None)
        self._close()

    def _close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        if self.process is not None:
            self.process.join(timeout=5)
        self.conn, self.process = None, None
