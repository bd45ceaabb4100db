"""A study's life in its storage: the config it records (``StudyConfig``, holding the option
groups), creating it from a data file, opening it with its sampler and pruner rebuilt,
queueing known configurations, and reading it back (status, best trial, leaderboard).

May import ``search._errors``, ``search.options``, ``search.metrics``, ``search.data``,
``storage`` and ``spaces``; never TensorFlow.
"""

from search.study._config import CONFIG_ATTR, CONFIG_VERSION, StudyConfig
from search.study._create import create_study
from search.study._enqueue import enqueue_params
from search.study._inspect import best_trial, leaderboard, pick_trial, study_status
from search.study._open import (
    MODEL_PREFIX,
    load_prepared,
    model_key,
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
    ranked,
    running_trials,
    status_of,
    summarize_trial,
)

__all__ = [
    "BUDGET_STATES",
    "CONFIG_ATTR",
    "CONFIG_VERSION",
    "MODEL_PREFIX",
    "RECENT_FAILURES",
    "FailedTrial",
    "FamilyTime",
    "RunningTrial",
    "StudyConfig",
    "StudyStatus",
    "TrialSummary",
    "best_of",
    "best_trial",
    "completed",
    "count_states",
    "create_study",
    "enqueue_params",
    "experimental_optuna",
    "failed_trials",
    "family_times",
    "leaderboard",
    "load_prepared",
    "make_pruner",
    "make_sampler",
    "model_key",
    "open_study",
    "pick_trial",
    "ranked",
    "read_config",
    "refuse_shared_sqlite",
    "running_trials",
    "status_of",
    "study_status",
    "summarize_trial",
]
