"""The few private parts of Optuna that hpsearch relies on, behind small functions, so that an
Optuna release that moves one breaks this file and no other."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import optuna

if TYPE_CHECKING:
    from storage._resilient import ResilientStorage


def trial_id(trial: optuna.Trial) -> int:
    """The storage's id of ``trial`` (unique across studies, unlike ``trial.number``)."""
    return trial._trial_id


def in_distribution(distribution: optuna.distributions.BaseDistribution, value: Any) -> bool:
    """Whether ``value`` (external form) lies inside ``distribution``."""
    return distribution._contains(distribution.to_internal_repr(value))


def study_deleted(study: optuna.Study) -> bool:
    """Whether ``study`` is gone from its storage (``hpsearch delete`` removed it, and perhaps
    another study of its name was created since): what a worker asks when a write fails."""
    try:
        return bool(storage_of(study).get_study_id_from_name(study.study_name)
                    != study._study_id)
    except KeyError:  # Optuna's "Record does not exist."
        return True


def storage_of(study: optuna.Study) -> ResilientStorage:
    """The ``ResilientStorage`` under ``study`` (Optuna wraps it in a cache)."""
    from storage._resilient import ResilientStorage  # it imports this module

    backend = getattr(study._storage, "_backend", study._storage)
    if not isinstance(backend, ResilientStorage):
        raise TypeError(f"study {study.study_name!r} was not opened with storage.open_storage "
                        f"(its storage is a {type(backend).__name__}).")
    return backend
