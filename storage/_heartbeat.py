"""Dead trials: when a running trial counts as stale, and how it is failed and queued again.

A running trial heartbeats every interval; one whose heartbeat is older than the grace period
lost its worker. Optuna looks for such trials only when a worker starts a trial, and never finds
one whose worker died before its first heartbeat (``_get_stale_trial_ids`` skips trials with no
heartbeat row). So:

- the stale check first stamps a heartbeat on RUNNING trials that have none, so a worker killed
  between creating a trial and its first heartbeat is found one grace period later;
- after this process sees the database come back from an outage, no trial is declared stale
  for one grace period plus the longest retry delay (``MAX_DELAY_S``): another live worker
  may be asleep in its backoff for that long before it heartbeats again;
- every worker runs the check every interval in a thread (``StaleTrialWatch``), whatever it is
  doing, and each stale trial is failed with its reason and queued again (``requeue_trial``).

The bound that follows: while any other worker of the study runs and the database has answered
for the last grace period and retry delay, a dead worker's trial is failed and queued again within
grace + interval (+ one check, well under a second) of the death; grace + 2 x interval if the
worker died before its first heartbeat (the first check stamps one). With no other worker
alive, the next worker to start does it, once the grace period has passed.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import warnings
from types import TracebackType
from typing import TYPE_CHECKING

import optuna
import sqlalchemy as sa
from optuna.trial import FrozenTrial, TrialState

from storage._attrs import (
    FAIL_REASON_ATTR,
    FAILED_TRIAL_ATTR,
    RETRY_HISTORY_ATTR,
    STARTING_POINT_ATTR,
)
from storage._optuna_private import (
    TrialHeartbeatModel,
    TrialModel,
    optuna_stale_trial_ids,
    rdb_session,
    study_storage,
)
from storage._retry import MAX_DELAY_S, connection_error_text, is_connection_error
from storage._url import mask_secrets

if TYPE_CHECKING:
    from storage._resilient import ResilientStorage

log = logging.getLogger("hpsearch.storage")
DEFAULT_MAX_RETRY = 3


def requeue_trial(study: optuna.Study, trial: FrozenTrial,
                  max_retry: int | None = DEFAULT_MAX_RETRY) -> bool:
    """Add a WAITING copy of ``trial`` (same params) unless it was retried ``max_retry`` times.

    The copy records the original trial number in the system attributes ``failed_trial`` and
    ``retry_history``, as Optuna's ``RetryHeartbeatStaleTrialCallback`` does, and keeps what
    the trial was queued as (``starting_point``); the failed run's other user attributes (its
    worker, epochs, failure reason) stay with the failed trial. Returns whether a copy was
    queued.
    """
    history = [*trial.system_attrs.get(RETRY_HISTORY_ATTR, []), trial.number]
    if max_retry is not None and len(history) > max_retry:
        return False
    system_attrs = {**trial.system_attrs, FAILED_TRIAL_ATTR: history[0],
                    RETRY_HISTORY_ATTR: history}
    queued_as = {k: v for k, v in trial.user_attrs.items() if k == STARTING_POINT_ATTR}
    study.add_trial(optuna.trial.create_trial(
        state=TrialState.WAITING, params=trial.params, distributions=trial.distributions,
        user_attrs=queued_as, system_attrs=system_attrs))
    return True


class RequeueStaleTrial:
    """Heartbeat callback: a trial whose worker stopped heartbeating is queued again."""

    def __init__(self, max_retry: int | None = DEFAULT_MAX_RETRY):
        self.max_retry = max_retry

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        queued = requeue_trial(study, trial, self.max_retry)
        log.warning("trial %d of study %r failed: %s; %s", trial.number, study.study_name,
                    trial.user_attrs.get(FAIL_REASON_ATTR, "no heartbeat"),
                    _requeued(queued, self.max_retry))


def _requeued(queued: bool, max_retry: int | None) -> str:
    return "queued again" if queued else f"not queued again (retried {max_retry} times already)"


def fail_and_requeue(study: optuna.Study, trial_id: int, reason: str) -> int | None:
    """Fail the RUNNING trial ``trial_id`` with ``reason`` and queue a copy with its params.

    Returns the trial's number, or None when the trial had already finished (another worker's
    stale check got there first and queued it itself)."""
    rdb = study_storage(study)
    trial = rdb.get_trial(trial_id)
    if trial.state is not TrialState.RUNNING:
        return None
    try:
        rdb.set_trial_user_attr(trial_id, FAIL_REASON_ATTR, reason)
        if not rdb.set_trial_state_values(trial_id, TrialState.FAIL):
            return None
    except optuna.exceptions.UpdateFinishedTrialError:
        return None
    queued = requeue_trial(study, rdb.get_trial(trial_id))
    log.info("trial %d failed (%s) and %s", trial.number, reason,
             _requeued(queued, DEFAULT_MAX_RETRY))
    return trial.number


def grace_seconds(rdb: ResilientStorage) -> int:
    """How long a trial may go without a heartbeat (default: twice the interval)."""
    assert rdb.heartbeat_interval is not None
    return rdb.grace_period or 2 * rdb.heartbeat_interval


def _stamp_trials_without_heartbeat(rdb: ResilientStorage, study_id: int) -> None:
    with rdb_session(rdb, ignore_integrity_error=True) as session:
        orphans = session.scalars(
            sa.select(TrialModel.trial_id)
            .outerjoin(TrialHeartbeatModel,
                       TrialHeartbeatModel.trial_id == TrialModel.trial_id)
            .where(TrialModel.study_id == study_id,
                   TrialModel.state == TrialState.RUNNING,
                   TrialHeartbeatModel.trial_heartbeat_id.is_(None))
        ).all()
        for trial_id in orphans:
            session.add(TrialHeartbeatModel(trial_id=trial_id))


def stale_trial_ids(rdb: ResilientStorage, study_id: int) -> list[int]:
    """The study's RUNNING trials without a heartbeat for a grace period, each marked with why
    it failed; none right after an outage (see the module's docstring)."""
    grace = grace_seconds(rdb)
    if rdb.outages.steady_for() < grace + MAX_DELAY_S:
        return []
    _stamp_trials_without_heartbeat(rdb, study_id)
    stale = optuna_stale_trial_ids(rdb, study_id)
    silent = _seconds_without_heartbeat(rdb, stale)
    for trial_id in stale:
        reason = (f"no heartbeat for more than {grace}s (the last one "
                  f"{silent.get(trial_id, grace):.0f}s ago): its worker was killed or lost its "
                  "machine or its database connection")
        # Another worker may have failed it first.
        with contextlib.suppress(optuna.exceptions.UpdateFinishedTrialError):
            rdb.set_trial_user_attr(trial_id, FAIL_REASON_ATTR, reason)
    return stale


def _seconds_without_heartbeat(rdb: ResilientStorage, trial_ids: list[int]) -> dict[int, float]:
    """How long each trial has gone without a heartbeat, by the database's clock."""
    if not trial_ids:
        return {}
    beat = TrialHeartbeatModel
    with rdb_session(rdb) as session:
        now = session.execute(sa.func.now()).scalar()
        rows = session.execute(sa.select(beat.trial_id, beat.heartbeat)
                               .where(beat.trial_id.in_(trial_ids))).all()
    if now is None:
        return {}
    now = now.replace(tzinfo=None)  # as Optuna does: PostgreSQL answers with a time zone
    return {trial_id: (now - last).total_seconds() for trial_id, last in rows}


def fail_stale_trials(study: optuna.Study) -> None:
    """Fail the study's trials that stopped heartbeating, and queue them again (one pass)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)


class StaleTrialWatch:
    """``with StaleTrialWatch(study, interval, url):`` runs ``fail_stale_trials`` every
    ``interval`` seconds in a daemon thread until the block ends."""

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
                level = logging.DEBUG if is_connection_error(exc) else logging.WARNING
                log.log(level, "stale-trial check failed (%s); next one in %ss",
                        mask_secrets(connection_error_text(exc), self.url), self.interval)


def _optuna_could_not_tell(exc: BaseException) -> bool:
    # Optuna's _run_trial, recording a trial another process has finished: the tell refuses
    # ("Cannot tell a FAIL trial.") or the write does (UpdateFinishedTrialError); when the
    # objective had returned a value, its own bookkeeping then fails with "Should not reach.".
    if isinstance(exc, AssertionError) and exc.__context__ is not None:
        exc = exc.__context__
    return isinstance(exc, optuna.exceptions.UpdateFinishedTrialError) or (
        isinstance(exc, ValueError) and str(exc).startswith("Cannot tell a "))


def lost_to_stale_check(exc: BaseException, study: optuna.Study,
                        trial_id: int | None) -> int | None:
    """The number of trial ``trial_id`` if ``exc`` is Optuna failing to record it because a
    stale-trial check finished it first (in the instant between the objective's return and
    the record, or while this worker could not heartbeat); None otherwise. Such a trial is
    already failed and queued again: the worker can go on."""
    if trial_id is None or not _optuna_could_not_tell(exc):
        return None
    trial = study_storage(study).get_trial(trial_id)
    return None if trial.state is TrialState.RUNNING else trial.number
