"""A trial this worker stopped running: mark it failed with the reason, queue it again."""

from __future__ import annotations

import logging

import optuna
from optuna.trial import TrialState

import storage

log = logging.getLogger("hpsearch")


def fail_and_requeue(study: optuna.Study, trial_id: int, reason: str) -> int | None:
    """Fail the RUNNING trial ``trial_id`` with ``reason`` and queue a copy with its params.

    Returns the trial's number, or None when the trial had already finished (another worker's
    stale check got there first and queued it itself)."""
    rdb = study._storage
    trial = rdb.get_trial(trial_id)
    if trial.state is not TrialState.RUNNING:
        return None
    try:
        rdb.set_trial_user_attr(trial_id, storage.FAIL_REASON_ATTR, reason)
        if not rdb.set_trial_state_values(trial_id, TrialState.FAIL):
            return None
    except optuna.exceptions.UpdateFinishedTrialError:
        return None
    storage.requeue_trial(study, rdb.get_trial(trial_id))
    log.info("trial %d failed (%s) and queued again", trial.number, reason)
    return trial.number
