"""The few private parts of Optuna that hpsearch relies on, behind small functions, so that an
Optuna release that moves one breaks this file and no other."""

from __future__ import annotations

from typing import Any

import optuna


def trial_id(trial: optuna.Trial) -> int:
    """The storage's id of ``trial`` (unique across studies, unlike ``trial.number``)."""
    return trial._trial_id


def in_distribution(distribution: optuna.distributions.BaseDistribution, value: Any) -> bool:
    """Whether ``value`` (external form) lies inside ``distribution``."""
    return distribution._contains(distribution.to_internal_repr(value))
