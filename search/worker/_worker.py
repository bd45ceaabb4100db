"""``hpsearch worker``: run trials of an existing study until its budget or ours is spent."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

import storage
from search._errors import DiskFull, StudyError
from search.answer import refit_memory_problem, refit_seconds
from search.metrics import TrialAttr
from search.options import WorkerOptions, refuse_unknown
from search.study import (
    best_of,
    config_of,
    count_states,
    load_data,
    open_study,
    refuse_shared_sqlite,
)
from search.training import Trainer, tensorflow_trainer
from search.views import save_study_note
from search.worker._keeper import ModelKeeper
from search.worker._loop import TrialLoop
from search.worker._objective import Objective, worker_name
from search.worker._progress import Progress
from search.worker._remaining import remaining_budget, shorter
from search.worker._signals import StopSignals
from search.worker._trainer_env import trainer_from_env
from search.worker._walk import WalkAlongC
from spaces.features import StudyData

log = logging.getLogger("hpsearch")


@dataclass
class WorkerSummary:
    study_name: str
    trials_run: int
    states: dict[str, int]
    stopped_by: str | None = None  # the signal that stopped the worker
    interrupted_trial: int | None = None  # failed as "interrupted" and queued again
    prepared: Any = None  # the trainer's encoded data, for what this process does next




def _warn_parallel_sqlite(url: str, study: optuna.Study, me: str) -> None:
    if not storage.is_sqlite(url):
        return
    trials = study.get_trials(deepcopy=False, states=(TrialState.WAITING, TrialState.RUNNING))
    others = {t.user_attrs.get(TrialAttr.WORKER) for t in trials
              if t.state is TrialState.RUNNING} - {me}
    queued = sum(t.state is TrialState.WAITING for t in trials)
    storage.sqlite_parallel_warnings(url, workers=1 + len(others), queued=queued)


def _note(study: optuna.Study, trial: FrozenTrial) -> None:
    """After each trial: the study's note in the dashboard brought up to date."""
    save_study_note(study, config_of(study))


def _after_trial(keeper: ModelKeeper) -> Callable[[optuna.Study, FrozenTrial], None]:
    """After each trial, once it is recorded: stop on a full disk its model met (it would
    meet every next one's), else bring the note up to date."""
    def after(study: optuna.Study, trial: FrozenTrial) -> None:
        keeper.raise_if_disk_full()
        _note(study, trial)

    return after


def _refit_cost(study: optuna.Study, data: StudyData) -> Callable[[], float]:
    """Seconds refitting the study's best trial so far on every row would take (none kept
    for a refit that would not fit in memory)."""
    def cost() -> float:
        best = best_of(study.get_trials(deepcopy=False), config_of(study).direction)
        if best is None or refit_memory_problem(study, [{"trial": best.number}], data):
            return 0.0
        return refit_seconds(study, [{"trial": best.number}], data)

    return cost


def _deleted(study_name: str, url: str) -> StudyError:
    return StudyError(
        f"Study {study_name!r} was deleted from {storage.mask_url(url)} while this worker ran "
        "(`hpsearch delete --force`), so the worker stops; its trial in flight went with the "
        f"study. To search again, create the study anew (`hpsearch create --study {study_name}`"
        " ...) and start the workers again.")


def run_worker(study_name: str, storage_url: str | None = None,
               options: WorkerOptions | None = None, *, progress: Progress | None = None,
               trainer: Trainer | None = None, handle_signals: bool = True,
               started: float | None = None, reserve_s: float = 0.0,
               final_cost: bool = False, **option_values: object) -> WorkerSummary:
    """Run trials until ``n_trials``/``timeout`` (this worker) or the study budget is spent.

    ``timeout`` counts from ``started`` (``time.monotonic()``: by default now; ``hpsearch run``
    passes the moment its command started), and trials stop ``reserve_s`` before it, for what
    the caller does after them; with ``final_cost``, also the time refitting the best trial so
    far on every row would take (``hpsearch run`` does it at its end).

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
    started = time.monotonic() if started is None else started
    trials_left, study_seconds = remaining_budget(study, config)
    seconds = shorter(None if options.timeout is None
                      else options.timeout - (time.monotonic() - started), study_seconds)
    if trials_left == 0 or (seconds is not None and seconds <= 0):
        log.info("study %r has spent its budget; nothing to do", study_name)
        return WorkerSummary(study_name, 0, {})
    end = None if seconds is None else time.monotonic() + seconds
    me = worker_name()
    _warn_parallel_sqlite(url, study, me)
    data = load_data(study, config)
    keeper = ModelKeeper(config.direction)
    objective = Objective(config, data, trainer or trainer_from_env() or tensorflow_trainer(),
                          progress=progress, signals=StopSignals(),
                          deadline=None if end is None else end - reserve_s, keeper=keeper)
    before = {t.number for t in study.get_trials(deepcopy=False)
              if t.state is not TrialState.WAITING}
    if progress:
        of_study = config.budget.n_trials is not None
        progress.start(study, config.budget.n_trials if of_study else options.n_trials,
                       None if end is None else end - time.monotonic(), of_study=of_study)
    objective.final_cost = _refit_cost(study, data) if final_cost else None
    loop = TrialLoop(study, objective, options,
                     after_trial=[_after_trial(keeper), WalkAlongC(objective.space)])
    try:
        interrupted = loop.run(url, handle_signals, objective.deadline)
        mine = [t for t in study.get_trials(deepcopy=False)
                if t.number not in before and t.user_attrs.get(TrialAttr.WORKER) == me]
    except (storage.StorageError, DiskFull):
        raise  # the storage lost or its disk full: asking whether the study is there is moot
    except Exception as exc:
        full = storage.storage_full(exc, url, f"record a trial of study {study_name!r}")
        if full is not None:
            raise full from None
        if storage.study_deleted(study):
            raise _deleted(study_name, url) from None
        raise
    finally:
        if progress:
            progress.stop()
    return WorkerSummary(study_name, len(mine), count_states(mine),
                         stopped_by=objective.signals.requested, interrupted_trial=interrupted,
                         prepared=objective.prepared)
