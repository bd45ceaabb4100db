"""How to run and score a search: data and checks, studies, training, workers, views, export,
and the CLI, one subpackage per concept (see docs/ARCHITECTURE.md).

This module exposes the public API; the errors and the option groups load at once, the rest on
first use, so that importing ``search`` (and ``hpsearch --help``) loads neither TensorFlow,
pandas, Optuna nor SQLAlchemy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from search._errors import DataError, HpsearchError, OptionError, StudyError, TrialFailed
from search.metrics import Metric
from search.options import (
    BudgetOptions,
    DataOptions,
    PrunerName,
    SamplerName,
    SearchOptions,
    WorkerOptions,
)

if TYPE_CHECKING:
    from search.export import export_script
    from search.study import (
        StudyConfig,
        StudyStatus,
        TrialSummary,
        best_trial,
        create_study,
        enqueue_params,
        open_study,
        study_status,
    )
    from search.training import Trainer
    from search.worker import WorkerExit, WorkerSummary, launch_workers, run_search, run_worker

_LAZY = {
    "search.export": ("export_script",),
    "search.study": ("StudyConfig", "StudyStatus", "TrialSummary", "best_trial",
                     "create_study", "enqueue_params", "open_study", "study_status"),
    "search.training": ("Trainer",),
    "search.worker": ("WorkerExit", "WorkerSummary", "launch_workers", "run_search",
                      "run_worker"),
}
_SOURCE = {name: module for module, names in _LAZY.items() for name in names}


def __getattr__(name: str) -> object:
    if name not in _SOURCE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_SOURCE[name]), name)


__all__ = [
    "BudgetOptions",
    "DataError",
    "DataOptions",
    "HpsearchError",
    "Metric",
    "OptionError",
    "PrunerName",
    "SamplerName",
    "SearchOptions",
    "StudyConfig",
    "StudyError",
    "StudyStatus",
    "TrialFailed",
    "TrialSummary",
    "Trainer",
    "WorkerExit",
    "WorkerOptions",
    "WorkerSummary",
    "best_trial",
    "create_study",
    "enqueue_params",
    "export_script",
    "launch_workers",
    "open_study",
    "run_search",
    "run_worker",
    "study_status",
]
