"""The private parts of Optuna that hpsearch relies on, behind small functions and names, so that
an Optuna release that moves one breaks this file and no other: its RDB tables and session
helper, a study's and a trial's ids, the storage under a study, the artifacts' attribute names,
how ``Study.ask`` takes a queued trial.

The bottom of ``storage``: it imports nothing of hpsearch, and no other module imports a private
part of Optuna (``tests/test_architecture.py`` checks both).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import optuna
from optuna.artifacts._protocol import ArtifactStore
from optuna.artifacts._upload import ARTIFACTS_ATTR_PREFIX, DEFAULT_MIME_TYPE
from optuna.storages._rdb.models import (
    StudyModel,
    TrialHeartbeatModel,
    TrialModel,
    TrialSystemAttributeModel,
)
from optuna.storages._rdb.storage import _create_scoped_session
from sqlalchemy import orm

__all__ = [
    "ARTIFACTS_ATTR_PREFIX",
    "ArtifactStore",
    "DEFAULT_MIME_TYPE",
    "StudyModel",
    "TrialHeartbeatModel",
    "TrialModel",
    "TrialSystemAttributeModel",
    "in_distribution",
    "optuna_stale_trial_ids",
    "queued_params",
    "rdb_session",
    "sampled_first",
    "study_id",
    "study_storage",
    "trial_id",
    "uncached_storage",
]


def trial_id(trial: optuna.Trial) -> int:
    """The storage's id of ``trial`` (unique across studies, unlike ``trial.number``)."""
    return trial._trial_id


def study_id(study: optuna.Study) -> int:
    """The storage's id of ``study`` (a study deleted and created again under its name has
    another)."""
    return study._study_id


def queued_params(trial: optuna.trial.FrozenTrial) -> dict[str, Any]:
    """The params a queued trial takes (empty for a sampled one): ``enqueue_trial`` keeps them
    in the system attribute ``fixed_params``, which stays after the trial starts."""
    return dict(trial.system_attrs.get("fixed_params") or {})


def in_distribution(distribution: optuna.distributions.BaseDistribution, value: Any) -> bool:
    """Whether ``value`` (external form) lies inside ``distribution``."""
    return distribution._contains(distribution.to_internal_repr(value))


def study_storage(study: optuna.Study) -> optuna.storages.BaseStorage:
    """The storage ``study`` calls: for an RDB storage, Optuna's cache in front of it."""
    return study._storage


def uncached_storage(study: optuna.Study) -> optuna.storages.BaseStorage:
    """The storage ``study`` was loaded with, without Optuna's cache in front of it."""
    return getattr(study._storage, "_backend", study._storage)


def rdb_session(rdb: optuna.storages.RDBStorage,
                ignore_integrity_error: bool = False) -> AbstractContextManager[orm.Session]:
    """A session of ``rdb`` as Optuna opens its own: committed when the block ends, rolled
    back on an error, a database error raised as ``optuna.exceptions.StorageInternalError``
    (an integrity error ignored with ``ignore_integrity_error``)."""
    return _create_scoped_session(rdb.scoped_session, ignore_integrity_error)


def optuna_stale_trial_ids(rdb: optuna.storages.RDBStorage, study_id: int) -> list[int]:
    """Optuna's own stale check: the study's RUNNING trials whose last heartbeat is older than
    the grace period (trials that never heartbeat are not among them)."""
    return optuna.storages.RDBStorage._get_stale_trial_ids(rdb, study_id)


@contextmanager
def sampled_first(study: optuna.Study) -> Iterator[None]:
    """Within it, ``study.ask`` samples a new trial though trials wait in the queue (Optuna's
    ask pops the queue first, through ``Study._pop_waiting_trial_id``)."""
    study._pop_waiting_trial_id = lambda: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        del study._pop_waiting_trial_id
