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
from search._errors import TrialFailed, TrialLost, WorkerInterrupted
from search.metrics import TrialAttr
from search.options import WorkerOptions, refuse_unknown
from search.study import (
    BUDGET_STATES,
    StudyConfig,
    count_states,
    load_prepared,
    open_study,
    refuse_shared_sqlite,
)
from search.training import Trainer, tensorflow_trainer
from search.worker._budget import remaining_budget, shorter
from search.worker._keep import ModelKeeper
from search.worker._objective import Objective, worker_name
from search.worker._progress import Progress
from search.worker._signals import StopSignals
from search.worker._trainer_env import trainer_from_env

log = logging.getLogger("hpsearch")


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


def _warn_parallel_sqlite(url: str, study: optuna.Study, me: str) -> None:
    if not storage.is_sqlite(url):
        return
    trials = study.get_trials(deepcopy=False, states=(TrialState.WAITING, TrialState.RUNNING))
    others = {t.user_attrs.get(TrialAttr.WORKER) for t in trials
              if t.state is TrialState.RUNNING} - {me}
    queued = sum(t.state is TrialState.WAITING for t in trials)
    storage.sqlite_parallel_warnings(url, workers=1 + len(others), queued=queued)


def run_worker(study_name: str, storage_url: str | None = None,
               options: WorkerOptions | None = None, *, progress: Progress | None = None,
               trainer: Trainer | None = None, handle_signals: bool = True,
               **option_values: object) -> WorkerSummary:
    """Run trials until ``n_trials``/``timeout`` (this worker) or the study budget is spent.

    The options come as a ``WorkerOptions``, or as keywords named like its fields
    (``run_worker("s", n_trials=3)``). ``trainer`` replaces TensorFlow (tests pass a scripted
    one; worker processes read ``$HPSEARCH_TRAINER``). While it runs:

    - its running trial heartbeats every ``heartbeat_interval`` s, and a watch thread fails and
      re-queues any trial of the study whose heartbeat is older than ``grace_period`` s
      (default twice the interval), whatever this worker is doing;
    - database calls wait out outages for up to ``reconnect_timeout`` s, then it gives up
      (``StorageError``; its trial in flight is left to the other workers' stale checks);
    - SIGTERM/SIGINT (``handle_signals``, main thread only) fail the running trial as
      "interrupted", queue it again and return: the CLI then exits 0.
    """
    keywords = dict(option_values)
    options = (options or WorkerOptions()).take(keywords)
    refuse_unknown(keywords, WorkerOptions)
    url = storage.resolve_storage_url(storage_url)
    refuse_shared_sqlite(url)
    study, config = open_study(study_name, url, heartbeat_interval=options.heartbeat_interval,
                               grace_period=options.grace_period,
                               retry_window_s=options.reconnect_timeout, seed=options.seed)
    prepared = load_prepared(url, study_name, config)
    trials_left, seconds_left = remaining_budget(study, config)
    seconds = shorter(options.timeout, seconds_left)
    if trials_left == 0 or seconds == 0:
        log.info("study %r has spent its budget; nothing to do", study_name)
        return WorkerSummary(study_name, 0, {})
    me = worker_name()
    _warn_parallel_sqlite(url, study, me)
    signals = StopSignals()
    objective = Objective(config, prepared, trainer or trainer_from_env() or tensorflow_trainer(),
                          progress=progress, signals=signals,
                          deadline=None if seconds is None else time.monotonic() + seconds,
                          keeper=ModelKeeper(url, config.direction))
    before = {t.number for t in study.get_trials(deepcopy=False)
              if t.state is not TrialState.WAITING}
    if progress:
        progress.start(study, options.n_trials or trials_left, seconds)
    try:
        interrupted = _optimize(study, objective, config, options, url, seconds,
                                handle_signals)
    finally:
        if progress:
            progress.stop()
    mine = [t for t in study.get_trials(deepcopy=False)
            if t.number not in before and t.user_attrs.get(TrialAttr.WORKER) == me]
    return WorkerSummary(study_name, len(mine), count_states(mine),
                         stopped_by=objective.signals.requested, interrupted_trial=interrupted)


def _optimize(study: optuna.Study, objective: Objective, config: StudyConfig,
              options: WorkerOptions, url: str, seconds: float | None,
              handle_signals: bool) -> int | None:
    """Run trials until a budget or a stop signal ends it; the number of the trial failed as
    "interrupted" and queued again, if any."""
    signals, counter = objective.signals, _TrialCounter()
    callbacks: list[Any] = [counter]
    if config.budget.n_trials is not None:
        callbacks.append(optuna.study.MaxTrialsCallback(config.budget.n_trials,
                                                        states=BUDGET_STATES))
    if objective.progress:
        callbacks.append(objective.progress.trial_finished)
    deadline = None if seconds is None else time.monotonic() + seconds
    try:
        with ExitStack() as stack:
            if handle_signals:
                stack.enter_context(signals)
            signals.study = study
            stack.enter_context(storage.StaleTrialWatch(study, options.heartbeat_interval, url))
            while not signals.requested:
                trials = None if options.n_trials is None else options.n_trials - counter.count
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
                return storage.fail_and_requeue(study, objective.current_trial_id,
                                                "interrupted")
    except Exception as exc:
        if storage.is_connection_error(exc):
            raise storage.StorageError(
                f"Lost the study storage {storage.mask_url(url)} for more than "
                f"{options.reconnect_timeout:.0f}s (--reconnect-timeout): "
                f"{storage.mask_secrets(storage.connection_error_text(exc), url)}. "
                "Its trial in flight stays RUNNING until another worker's stale-trial check "
                "fails it and queues it again."
            ) from None
        raise
    return None
