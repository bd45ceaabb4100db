"""What a worker may still spend: the study's budget (shared by all workers) and its own."""

from __future__ import annotations

import time

import optuna

from search.options import BudgetOptions
from search.study import BUDGET_STATES, StudyConfig


def remaining_budget(study: optuna.Study, config: StudyConfig) -> tuple[int | None, float | None]:
    """Trials and seconds left of the study-wide budget set at ``create`` (None: unbounded).
    Failed trials do not count against it."""
    budget: BudgetOptions = config.budget
    trials_left = None
    if budget.n_trials is not None:
        done = len(study.get_trials(deepcopy=False, states=BUDGET_STATES))
        trials_left = max(budget.n_trials - done, 0)
    seconds_left = None
    if budget.timeout is not None:
        seconds_left = max(config.created_at + budget.timeout - time.time(), 0.0)
    return trials_left, seconds_left


def shorter(a: float | None, b: float | None) -> float | None:
    """The smaller of two limits, None meaning no limit."""
    return b if a is None else a if b is None else min(a, b)
