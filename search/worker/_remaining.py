"""What a worker may still spend: the study's budget (shared by all workers) and its own."""

from __future__ import annotations

import time

import optuna

from search.study import BUDGET_STATES, StudyConfig


def seconds_left(config: StudyConfig, now: float | None = None) -> float | None:
    """Seconds left of the study-wide time budget (None: unbounded), counted from creation."""
    if config.budget.timeout is None:
        return None
    now = time.time() if now is None else now
    return max(config.created_at + config.budget.timeout - now, 0.0)


def remaining_budget(study: optuna.Study, config: StudyConfig) -> tuple[int | None, float | None]:
    """Finished trials and seconds left of the study-wide budget (None: unbounded). Failed
    trials do not count against it."""
    trials_left = None
    if config.budget.n_trials is not None:
        done = len(study.get_trials(deepcopy=False, states=BUDGET_STATES))
        trials_left = max(config.budget.n_trials - done, 0)
    return trials_left, seconds_left(config)


def shorter(a: float | None, b: float | None) -> float | None:
    """The smaller of two limits, None meaning no limit."""
    return b if a is None else a if b is None else min(a, b)
