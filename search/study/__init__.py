"""A study's life in its storage: the config it records (``StudyConfig``, holding the option
groups), creating it from a data file (or resuming it with the same settings), opening it with
its sampler and pruner rebuilt, queueing known configurations, reading it back (status, best
trial, leaderboard, the list of studies), what it keeps of its best trials and its ensemble
(and which of them stay under its bound), changing its budget and deleting it.

May import ``search._errors``, ``search.options``, ``search.metrics``, ``search.data``,
``storage`` and ``spaces``; never TensorFlow. ``create_study`` (which reads the data file with
pandas) loads on first use: a worker never creates a study.
"""

from typing import TYPE_CHECKING

import lazy_loader

from search.study._catalog import StudyListing, list_studies
from search.study._config import BASELINES_ATTR, CONFIG_ATTR, CONFIG_VERSION, StudyConfig
from search.study._enqueue import enqueue_params
from search.study._family_pick import FamilyBySeconds, family_records, pick_weights
from search.study._inspect import best_trial, leaderboard, pick_trial, study_status
from search.study._kept import (
    ANSWER_ATTR,
    ENSEMBLE_ATTR,
    ENSEMBLE_KEY,
    HELD_FILE,
    MODEL_FILE,
    PROBS_FILE,
    REFIT_KEY,
    KeptCandidate,
    answer_record,
    choose_kept,
    ensemble_record,
    kept_model,
    kept_probabilities,
    packed_model,
    plan_kept,
    probs_bytes,
    protected_trials,
    trim_kept,
)
from search.study._manage import DeletedStudy, delete_study, shown_budget, update_budget
from search.study._open import (
    DATA_KEY,
    config_of,
    load_data,
    open_study,
    read_config,
    refuse_shared_sqlite,
)
from search.study._strategy import experimental_optuna, make_pruner, make_sampler
from search.study._summary import (
    BUDGET_STATES,
    RECENT_FAILURES,
    FailedTrial,
    FamilyTime,
    RunningTrial,
    StudyStatus,
    TrialSummary,
    best_of,
    completed,
    count_states,
    failed_trials,
    family_times,
    own_seconds,
    ranked,
    running_trials,
    status_of,
    summarize_trial,
    trained,
)

if TYPE_CHECKING:
    from search.study._create import create_study

__getattr__ = lazy_loader.attach(__name__, submod_attrs={
    "_create": ["create_study"],
})[0]

__all__ = [
    "FamilyBySeconds",
    "ANSWER_ATTR",
    "BUDGET_STATES",
    "BASELINES_ATTR",
    "CONFIG_ATTR",
    "CONFIG_VERSION",
    "ENSEMBLE_ATTR",
    "ENSEMBLE_KEY",
    "HELD_FILE",
    "MODEL_FILE",
    "PROBS_FILE",
    "REFIT_KEY",
    "DeletedStudy",
    "RECENT_FAILURES",
    "FailedTrial",
    "FamilyTime",
    "KeptCandidate",
    "RunningTrial",
    "StudyConfig",
    "StudyListing",
    "StudyStatus",
    "TrialSummary",
    "answer_record",
    "best_of",
    "best_trial",
    "choose_kept",
    "completed",
    "config_of",
    "count_states",
    "create_study",
    "delete_study",
    "enqueue_params",
    "ensemble_record",
    "experimental_optuna",
    "failed_trials",
    "kept_model",
    "kept_probabilities",
    "family_records",
    "family_times",
    "leaderboard",
    "load_data",
    "DATA_KEY",
    "list_studies",
    "make_pruner",
    "make_sampler",
    "open_study",
    "own_seconds",
    "pick_weights",
    "packed_model",
    "pick_trial",
    "plan_kept",
    "probs_bytes",
    "protected_trials",
    "ranked",
    "read_config",
    "refuse_shared_sqlite",
    "running_trials",
    "shown_budget",
    "status_of",
    "study_status",
    "summarize_trial",
    "trained",
    "trim_kept",
    "update_budget",
]
