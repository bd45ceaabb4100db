"""``hpsearch worker``: run trials of an existing study until its budget or ours is spent."""

from __future__ import annotations

import logging
import time
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import optuna
from optuna.trial import TrialState

import storage
from search._errors import (
    HpsearchError,
    StudyError,
    TrialFailed,
    TrialLost,
    WorkerInterrupted,
)
from search.data._prepared import CACHE_KEY, Prepared
from search.study._config import StudyConfig
from search.study._open import open_study, refuse_shared_sqlite
from search.worker._signals import StopSignals
from search.worker._trainer_env import trainer_from_env

log = logging.getLogger("hpsearch")
BUDGET_STATES = (TrialState.COMPLETE, TrialState.PRUNED)
DEFAULT_HEARTBEAT_INTERVAL_S = 30
# How long a worker waits out an unreachable database before it gives up (exit status 2).
DEFAULT_RECONNECT_TIMEOUT_S = 600.0


@dataclass
class WorkerSummary:
    study_name: str
    trials_run: int
    states: dict[str, int]
    stopped_by: str | None = None  # the signal that stopped the worker
    interrupted_trial: int | None = None  # failed as "interrupted" and queued again


class _TrialCounter:
    """Optuna callback: how many trials this worker finished (its own --n-trials budget)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        self.count += 1


def load_prepared(url: str, study_name: str, config: StudyConfig) -> Prepared:
    """The study's vectorized split, checked against the digest recorded at creation."""
    found = storage.get_blob(url, study_name, CACHE_KEY)
    if found is None:
        raise StudyError(
            f"Study {study_name!r} has no vectorized data stored with it in "
            f"{storage.mask_url(url)}. Create it again with `hpsearch create`."
        )
    data, digest = found
    if digest != config.cache_sha256:
        raise StudyError(
            f"The vectorized data stored for study {study_name!r} (sha256 {digest[:12]}) does "
            f"not match the one the study was created with ({config.cache_sha256[:12]}). "
            "Refusing to run trials on other data; recreate the study under a new name."
        )
    return Prepared.from_bytes(data)


def remaining_budget(study: optuna.Study, config: StudyConfig) -> tuple[int | None, float | None]:
    """Trials and seconds left of the study-wide budget set at ``create`` (None: unbounded)."""
    trials_left = None
    if config.n_trials is not None:
        done = len(study.get_trials(deepcopy=False, states=BUDGET_STATES))
        trials_left = max(config.n_trials - done, 0)
    seconds_left = None
    if config.timeout is not None:
        seconds_left = max(config.created_at + config.timeout - time.time(), 0.0)
    return trials_left, seconds_left


def _min(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else min(a, b)


def _warn_parallel_sqlite(url: str, study: optuna.Study, me: str) -> None:
    if not storage.is_sqlite(url):
        return
    trials = study.get_trials(deepcopy=False, states=(TrialState.WAITING, TrialState.RUNNING))
    others = {t.user_attrs.get("worker") for t in trials if t.state is TrialState.RUNNING} - {me}
    queued = sum(t.state is TrialState.WAITING for t in trials)
    storage.sqlite_parallel_warnings(url, workers=1 + len(others), queued=queued)


def run_worker(study_name: str, storage_url: str | None = None, *, n_trials: int | None = None,
               timeout: float | None = None, progress: Any = None,
               heartbeat_interval: int = DEFAULT_HEARTBEAT_INTERVAL_S,
               grace_period: int | None = None,
               reconnect_timeout: float = DEFAULT_RECONNECT_TIMEOUT_S,
               seed: int | None = None, trainer: Any = None,
               handle_signals: bool = True) -> WorkerSummary:
    """Run trials until ``n_trials``/``timeout`` (this worker) or the study budget is spent.

    ``trainer`` replaces the TensorFlow training module (tests pass a scripted one; worker
    processes read ``$HPSEARCH_TRAINER``). While it runs:

    - its running trial heartbeats every ``heartbeat_interval`` s, and a watch thread fails and
      re-queues any trial of the study whose heartbeat is older than ``grace_period`` s
      (default twice the interval), whatever this worker is doing;
    - database calls wait out outages for up to ``reconnect_timeout`` s, then it gives up
      (``StorageError``; its trial in flight is left to the other workers' stale checks);
    - SIGTERM/SIGINT (``handle_signals``, main thread only) fail the running trial as
      "interrupted", queue it again and return: the CLI then exits 0.
    """
    if heartbeat_interval and grace_period is not None and grace_period <= heartbeat_interval:
        raise HpsearchError(
            "--grace-period must be longer than --heartbeat-interval, or live trials are taken "
            f"for dead between two heartbeats; got ({grace_period=}, {heartbeat_interval=}). "
            "Leave --grace-period out (twice the interval) or raise it.")
    url = storage.resolve_storage_url(storage_url)
    refuse_shared_sqlite(url)
    study, config = open_study(study_name, url, heartbeat_interval=heartbeat_interval,
                               grace_period=grace_period, retry_window_s=reconnect_timeout,
                               seed=seed)
    prepared = load_prepared(url, study_name, config)
    trials_left, seconds_left = remaining_budget(study, config)
    seconds = _min(timeout, seconds_left)
    if trials_left == 0 or seconds == 0:
        log.info("study %r has spent its budget; nothing to do", study_name)
        return WorkerSummary(study_name, 0, {})

    from search.worker._objective import Objective, worker_name

    me = worker_name()
    _warn_parallel_sqlite(url, study, me)
    signals = StopSignals()
    objective = Objective(config, prepared, progress=progress,
                          trainer=trainer if trainer is not None else trainer_from_env(),
                          signals=signals)
    counter = _TrialCounter()
    callbacks: list[Any] = [counter]
    if config.n_trials is not None:
        callbacks.append(optuna.study.MaxTrialsCallback(config.n_trials, states=BUDGET_STATES))
    if progress:
        callbacks.append(progress.trial_finished)
    before = {t.number for t in study.get_trials(deepcopy=False)
              if t.state is not TrialState.WAITING}
    if progress:
        progress.start(study, n_trials or trials_left, seconds)
    deadline = None if seconds is None else time.monotonic() + seconds
    interrupted = None
    try:
        with ExitStack() as stack:
            if handle_signals:
                stack.enter_context(signals)
            signals.study = study
            if heartbeat_interval:
                stack.enter_context(storage.StaleTrialWatch(study, heartbeat_interval, url))
            while not signals.requested:
                trials = None if n_trials is None else n_trials - counter.count
                left = None if deadline is None else deadline - time.monotonic()
                if trials == 0 or (left is not None and left <= 0):
                    break
                try:
                    # The study-wide trial budget is enforced by MaxTrialsCallback after each
                    # trial, so failed trials do not eat into it and parallel workers overshoot
                    # by one trial each at most.
                    study.optimize(objective, n_trials=trials, timeout=left,
                                   catch=(TrialFailed,), callbacks=callbacks,
                                   gc_after_trial=True)
                    break
                except TrialLost as lost:
                    log.warning("%s while this worker could not heartbeat; it is queued again. "
                                "Going on.", lost)
                except WorkerInterrupted:
                    break
            if signals.requested and objective.current_trial_id is not None:
                interrupted = storage.fail_and_requeue(study, objective.current_trial_id,
                                                       "interrupted")
    except Exception as exc:
        if storage.is_connection_error(exc):
            raise storage.StorageError(
                f"Lost the study storage {storage.mask_url(url)} for more than "
                f"{reconnect_timeout:.0f}s (--reconnect-timeout): "
                f"{storage.mask_secrets(storage.connection_error_text(exc), url)}. "
                "Its trial in flight stays RUNNING until another worker's stale-trial check "
                "fails it and queues it again."
            ) from None
        raise
    finally:
        if progress:
            progress.stop()
    mine = [t for t in study.get_trials(deepcopy=False)
            if t.number not in before and t.user_attrs.get("worker") == me]
    states: dict[str, int] = {}
    for t in mine:
        states[t.state.name] = states.get(t.state.name, 0) + 1
    return WorkerSummary(study_name, len(mine), states, stopped_by=signals.requested,
                         interrupted_trial=interrupted)
