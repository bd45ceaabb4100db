"""How to run and score a search: data and checks, studies, training, workers, ensembles,
views, export, putting a kept model to use (``load_model``, ``predict_file``,
``evaluate_model``), and the CLI, one subpackage per concept (see docs/ARCHITECTURE.md).

This module exposes the public API; the errors and the option groups load at once, the rest on
first use, so that importing ``search`` (and ``hpsearch --help``) loads neither TensorFlow,
pandas, Optuna nor SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

from search._errors import (
    ConsecutiveFailures,
    DataError,
    DiskFull,
    ExitCode,
    HpsearchError,
    OptionError,
    StudyError,
    TrialFailed,
)
from search.metrics import Metric
from search.options import BudgetOptions, DataOptions, SearchOptions, WorkerOptions

if TYPE_CHECKING:
    from search.answer import settle_answer
    from search.ensemble import make_ensemble
    from search.export import export_model, export_script
    from search.options import PrunerName, SamplerName
    from search.predict import (
        ModelEvaluation,
        TextClassifier,
        evaluate_model,
        load_model,
        predict_file,
    )
    from search.study import (
        StudyConfig,
        StudyStatus,
        TrialSummary,
        best_trial,
        create_study,
        delete_study,
        enqueue_params,
        list_studies,
        open_study,
        study_status,
        update_budget,
    )
    from search.training import Trainer
    from search.worker import WorkerExit, WorkerSummary, launch_workers, run_search, run_worker

__getattr__ = lazy_loader.attach(__name__, submod_attrs={
    "answer": ["settle_answer"],
    "ensemble": ["make_ensemble"],
    "export": ["export_model", "export_script"],
    "options": ["PrunerName", "SamplerName"],
    "predict": ["ModelEvaluation", "TextClassifier", "evaluate_model", "load_model",
                "predict_file"],
    "study": ["StudyConfig", "StudyStatus", "TrialSummary", "best_trial", "create_study",
              "delete_study", "enqueue_params", "list_studies", "open_study", "study_status",
              "update_budget"],
    "training": ["Trainer"],
    "worker": ["WorkerExit", "WorkerSummary", "launch_workers", "run_search", "run_worker"],
})[0]


__all__ = [
    "BudgetOptions",
    "ConsecutiveFailures",
    "DataError",
    "DiskFull",
    "DataOptions",
    "ExitCode",
    "HpsearchError",
    "Metric",
    "ModelEvaluation",
    "OptionError",
    "PrunerName",
    "SamplerName",
    "SearchOptions",
    "StudyConfig",
    "StudyError",
    "StudyStatus",
    "TextClassifier",
    "TrialFailed",
    "TrialSummary",
    "Trainer",
    "WorkerExit",
    "WorkerOptions",
    "WorkerSummary",
    "best_trial",
    "create_study",
    "delete_study",
    "enqueue_params",
    "evaluate_model",
    "export_model",
    "export_script",
    "launch_workers",
    "list_studies",
    "load_model",
    "make_ensemble",
    "settle_answer",
    "open_study",
    "predict_file",
    "run_search",
    "run_worker",
    "study_status",
    "update_budget",
]
