"""``hpsearch worker``: run trials of an existing study until its budget or ours is spent."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import optuna
from optuna.trial import TrialState

import storage
from search._config import StudyConfig
from search._errors import StudyError, TrialFailed
from search._prepared import CACHE_KEY, Prepared
from search._study import open_study

log = logging.getLogger("hpsearch")
BUDGET_STATES = (TrialState.COMPLETE, TrialState.PRUNED)


@dataclass
class WorkerSummary:
    study_name: str
    trials_run: int
    states: dict[str, int]


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


def run_worker(study_name: str, storage_url: str | None = None, *, n_trials: int | None = None,
               timeout: float | None = None, progress: Any = None,
               heartbeat_interval: int = 30, seed: int | None = None,
               trainer: Any = None) -> WorkerSummary:
    """Run trials until ``n_trials``/``timeout`` (this worker) or the study budget is spent.

    ``trainer`` replaces the TensorFlow training module (tests pass a scripted one)."""
    url = storage.resolve_storage_url(storage_url)
    study, config = open_study(study_name, url, heartbeat_interval=heartbeat_interval,
                               seed=seed)
    prepared = load_prepared(url, study_name, config)
    trials_left, seconds_left = remaining_budget(study, config)
    seconds = _min(timeout, seconds_left)
    if trials_left == 0 or seconds == 0:
        log.info("study %r has spent its budget; nothing to do", study_name)
        return WorkerSummary(study_name, 0, {})

    from search._objective import Objective, worker_name

    objective = Objective(config, prepared, progress=progress, seed=seed or 0, trainer=trainer)
    callbacks = []
    if config.n_trials is not None:
        callbacks.append(optuna.study.MaxTrialsCallback(config.n_trials, states=BUDGET_STATES))
    if progress:
        callbacks.append(progress.trial_finished)
    before = {t.number for t in study.get_trials(deepcopy=False)}
    if progress:
        progress.start(study, n_trials or trials_left, seconds)
    try:
        # The study-wide trial budget is enforced by MaxTrialsCallback after each trial, so
        # failed trials do not eat into it and parallel workers overshoot by one at most.
        study.optimize(objective, n_trials=n_trials, timeout=seconds, catch=(TrialFailed,),
                       callbacks=callbacks, gc_after_trial=True)
    finally:
        if progress:
            progress.stop()
    me = worker_name()
    mine = [t for t in study.get_trials(deepcopy=False)
            if t.number not in before and t.user_attrs.get("worker") == me]
    states: dict[str, int] = {}
    for t in mine:
        states[t.state.name] = states.get(t.state.name, 0) + 1
    return WorkerSummary(study_name, len(mine), states)
