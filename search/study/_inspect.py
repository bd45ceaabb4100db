"""Reading a study by name: its status, its best trial, a leaderboard, one trial by number."""

from __future__ import annotations

import optuna
from optuna.trial import FrozenTrial, TrialState

from search._errors import StudyError
from search.study._config import StudyConfig
from search.study._kept import answer_record, ensemble_record
from search.study._open import open_study
from search.study._summary import (
    StudyStatus,
    TrialSummary,
    best_of,
    count_states,
    no_finished_trial,
    ranked,
    status_of,
    summarize_trial,
)


def study_status(study_name: str, storage_url: str | None = None) -> StudyStatus:
    """Counts by state, the best trial with its params, the baselines."""
    study, config = open_study(study_name, storage_url)
    return status_of(study_name, study.get_trials(deepcopy=False), config,
                     ensemble=ensemble_record(study), answer=answer_record(study))


def best_trial(study_name: str, storage_url: str | None = None,
               trial_number: int | None = None) -> TrialSummary:
    """The best finished trial (or trial ``trial_number``) with its params and metrics."""
    study, config = open_study(study_name, storage_url)
    return summarize_trial(pick_trial(study, config, trial_number), config)


def pick_trial(study: optuna.Study, config: StudyConfig,
               trial_number: int | None = None) -> FrozenTrial:
    """Trial ``trial_number`` (COMPLETE or PRUNED), or the best finished trial."""
    trials = study.get_trials(deepcopy=False)
    if trial_number is None:
        best = best_of(trials, config.direction)
        if best is None:
            raise no_finished_trial(study.study_name, count_states(trials))
        return best
    found = [t for t in trials if t.number == trial_number]
    if not found:
        raise StudyError(f"Study {study.study_name!r} has no trial {trial_number}.")
    if found[0].state not in (TrialState.COMPLETE, TrialState.PRUNED):
        raise StudyError(f"Trial {trial_number} is {found[0].state.name}; only COMPLETE or "
                         "PRUNED trials have a configuration worth exporting.")
    return found[0]


def leaderboard(study: optuna.Study, config: StudyConfig, top: int = 10) -> list[TrialSummary]:
    """The ``top`` completed trials, best first."""
    return [summarize_trial(t, config)
            for t in ranked(study.get_trials(deepcopy=False), config.direction)[:top]]
