"""Queueing a failed trial again with the same params, for another worker to run."""

from __future__ import annotations

import logging

import optuna
from optuna.trial import FrozenTrial, TrialState

log = logging.getLogger("hpsearch.storage")

# The trial attribute holding why a trial failed (shown by `status`, kept with the study).
FAIL_REASON_ATTR = "fail_reason"
DEFAULT_MAX_RETRY = 3


def requeue_trial(study: optuna.Study, trial: FrozenTrial,
                  max_retry: int | None = DEFAULT_MAX_RETRY) -> bool:
    """Add a WAITING copy of ``trial`` (same params) unless it was retried ``max_retry`` times.

    The copy records the original trial number in the system attributes ``failed_trial`` and
    ``retry_history``, as Optuna's ``RetryHeartbeatStaleTrialCallback`` does, but starts with no
    user attributes: the failed run's worker, epochs and failure reason stay with the failed
    trial. Returns whether a copy was queued.
    """
    history = [*trial.system_attrs.get("retry_history", []), trial.number]
    if max_retry is not None and len(history) > max_retry:
        log.warning("trial %d failed and was already retried %d times; not queued again",
                    trial.number, max_retry)
        return False
    system_attrs = {**trial.system_attrs, "failed_trial": history[0], "retry_history": history}
    study.add_trial(optuna.trial.create_trial(
        state=TrialState.WAITING, params=trial.params, distributions=trial.distributions,
        system_attrs=system_attrs))
    return True


class RequeueStaleTrial:
    """Heartbeat callback: a trial whose worker stopped heartbeating is queued again."""

    def __init__(self, max_retry: int | None = DEFAULT_MAX_RETRY):
        self.max_retry = max_retry

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        requeue_trial(study, trial, self.max_retry)
