"""An Optuna RDB storage for workers that outlive database outages and each other.

Optuna's ``RDBStorage`` raises on the first failed statement, lets its heartbeat thread die on a
dropped connection, and lets two workers take the same queued trial on SQLite. This subclass
closes those gaps; which trials count as dead is ``storage._heartbeat``'s, and which trials fit
a study's budget ``storage._trial_cap``'s. Optuna's tables and sessions it reaches through
``storage._optuna_private``.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar, cast

import optuna
import sqlalchemy as sa
from optuna.trial import FrozenTrial, TrialState
from sqlalchemy import orm

from storage._heartbeat import stale_trial_ids
from storage._optuna_private import TrialModel, rdb_session, study_id, uncached_storage
from storage._retry import RETRIED_ERRORS, Outages, call_with_retry, is_connection_error
from storage._trial_cap import TrialCap, check_room

log = logging.getLogger("hpsearch.storage")
F = TypeVar("F", bound=Callable[..., Any])

# Every RDBStorage method that talks to the database and that Optuna's cached storage, studies
# and trials call. tests/test_storage_resilience.py checks the list against Optuna's source.
RETRIED_METHODS = (
    "create_new_study", "delete_study", "set_study_user_attr", "set_study_system_attr",
    "get_study_id_from_name", "get_study_name_from_id", "get_study_directions",
    "get_study_user_attrs", "get_study_system_attrs", "get_all_studies",
    "create_new_trial", "_create_new_trial", "set_trial_param", "_set_trial_param",
    "get_trial_param", "set_trial_state_values", "set_trial_intermediate_value",
    "set_trial_user_attr", "set_trial_system_attr", "get_trial_user_attrs",
    "get_trial_system_attrs", "get_trial_id_from_study_id_trial_number", "get_trial",
    "get_all_trials", "_get_trials", "get_best_trial", "_get_best_trial_id",
    "_get_stale_trial_ids",
)


class ResilientStorage(optuna.storages.RDBStorage):
    """``RDBStorage`` whose calls wait out database outages, with a heartbeat that survives them.

    - Each database call is retried with backoff (0.2 s doubling to 5 s) while it fails with a
      connection error, for at most ``retry_window_s``; the connection pool pre-pings, so calls
      after a PostgreSQL restart reconnect. A trial in flight pauses at its next write and goes on.
    - ``record_heartbeat`` logs a connection error instead of raising, so the heartbeat thread
      lives on and beats again one interval later.
    - The stale-trial check is ``storage._heartbeat.stale_trial_ids``: it also finds trials
      that never heartbeat, records why each failed, and waits out a grace period after an
      outage.
    - A queued (WAITING) trial is taken by one atomic UPDATE, so two workers never both run
      it (Optuna's read-then-write relies on SELECT ... FOR UPDATE, a no-op in SQLite).
    - With a ``trial_cap`` (``storage.cap_trials``), starting a trial, new or queued, first
      checks the study's budget in the same transaction (see ``storage._trial_cap``).
    """

    def __init__(self, url: str, *, retry_window_s: float, **kwargs: Any):
        self.retry_window_s = retry_window_s
        self.trial_cap: TrialCap | None = None
        self.outages = Outages(url)
        self._calls = threading.local()
        super().__init__(url, **kwargs)

    def __getstate__(self) -> dict[Any, Any]:
        state = super().__getstate__()
        del state["outages"], state["_calls"]  # a lock and thread-local counters
        return state

    def __setstate__(self, state: dict[Any, Any]) -> None:
        self.outages = Outages(state["url"])
        self._calls = threading.local()
        super().__setstate__(state)

    def with_retry(self, call: Callable[[], Any]) -> Any:
        # Only the outermost call retries: methods calling one another must not multiply waits.
        if getattr(self._calls, "depth", 0):
            return call()
        self._calls.depth = 1
        try:
            return call_with_retry(call, window_s=self.retry_window_s, outages=self.outages)
        finally:
            self._calls.depth = 0

    def record_heartbeat(self, trial_id: int) -> None:
        try:
            super().record_heartbeat(trial_id)
        except RETRIED_ERRORS as exc:
            if not is_connection_error(exc):
                raise
            self.outages.failed(exc, self.retry_window_s)
            log.debug("heartbeat of trial id %d not recorded; next one in %ss", trial_id,
                      self.heartbeat_interval)
            return
        self.outages.answered()

    def set_trial_state_values(self, trial_id: int, state: TrialState,
                               values: Sequence[float] | None = None) -> bool:
        if state is not TrialState.RUNNING or values is not None:
            return super().set_trial_state_values(trial_id, state, values)
        # Taking a queued trial. Optuna reads the state, then writes it, relying on SELECT ...
        # FOR UPDATE, which SQLite ignores: two workers could take the same queued trial and
        # both run it. One conditional UPDATE is atomic on every backend.
        with rdb_session(self) as session:
            if self.trial_cap is not None:
                self._check_room(session, session.scalar(
                    sa.select(TrialModel.study_id)
                    .where(TrialModel.trial_id == trial_id)))
            taken = cast(sa.CursorResult[Any], session.execute(
                sa.update(TrialModel)
                .where(TrialModel.trial_id == trial_id,
                       TrialModel.state == TrialState.WAITING)
                .values(state=TrialState.RUNNING)
                .execution_options(synchronize_session=False)
            )).rowcount
            if taken == 1:
                # Through the model, which knows how Optuna stores times (naive UTC in 5.0).
                trial = TrialModel.find_or_raise_by_id(trial_id, session)
                trial.datetime_start = datetime.now()
        if taken == 1:
            return True
        self.check_trial_is_updatable(trial_id, self.get_trial(trial_id).state)
        return False

    def _get_prepared_new_trial(self, study_id: int, template_trial: FrozenTrial | None,
                                session: orm.Session) -> TrialModel:
        # Called by Optuna's _create_new_trial inside its transaction, after it has locked
        # the study's row (on PostgreSQL). Queued and finished trials added are not capped.
        if template_trial is None or template_trial.state is TrialState.RUNNING:
            self._check_room(session, study_id)
        return super()._get_prepared_new_trial(study_id, template_trial, session)

    def _check_room(self, session: orm.Session, study_id: int | None) -> None:
        cap = self.trial_cap
        if cap is not None and cap.study_id == study_id:
            check_room(session, cap)

    def _get_stale_trial_ids(self, study_id: int) -> list[int]:
        return stale_trial_ids(self, study_id)


def _retrying(method: F) -> F:
    @functools.wraps(method)
    def call(self: ResilientStorage, *args: Any, **kwargs: Any) -> Any:
        return self.with_retry(lambda: method(self, *args, **kwargs))

    return cast(F, call)


for _name in RETRIED_METHODS:
    setattr(ResilientStorage, _name, _retrying(getattr(ResilientStorage, _name)))


def storage_of(study: optuna.Study) -> ResilientStorage:
    """The ``ResilientStorage`` under ``study`` (Optuna wraps it in a cache)."""
    backend = uncached_storage(study)
    if not isinstance(backend, ResilientStorage):
        raise TypeError(f"study {study.study_name!r} was not opened with storage.open_storage "
                        f"(its storage is a {type(backend).__name__}).")
    return backend


def cap_trials(study: optuna.Study, limit: int | None, counted: Sequence[TrialState]) -> None:
    """From now on this process starts a trial of ``study`` only while fewer than ``limit`` of
    its trials are finished in a ``counted`` state or running; ``BudgetSpent`` says when not.
    ``None`` lifts the cap. Call it again whenever the limit may have changed."""
    rdb = storage_of(study)
    rdb.trial_cap = None if limit is None else TrialCap(
        rdb.get_study_id_from_name(study.study_name), limit, tuple(counted))


def study_deleted(study: optuna.Study) -> bool:
    """Whether ``study`` is gone from its storage (``hpsearch delete`` removed it, and perhaps
    another study of its name was created since): what a worker asks when a write fails."""
    try:
        return bool(storage_of(study).get_study_id_from_name(study.study_name)
                    != study_id(study))
    except KeyError:  # Optuna's "Record does not exist."
        return True
