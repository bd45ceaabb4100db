"""How to run and score a search: data and checks, trials, workers, export, and the CLI.

Importing this package does not import TensorFlow; only training does.
"""

from search._errors import DataError, HpsearchError, StudyError, TrialFailed
from search.export._export import export_script
from search.study._config import PrunerName, SamplerName, StudyConfig
from search.study._create import create_study
from search.study._enqueue import enqueue_params
from search.study._inspect import best_trial, study_status
from search.study._open import open_study
from search.worker._launch import WorkerExit, WorkerOptions, launch_workers
from search.worker._run import run_search
from search.worker._worker import WorkerSummary, run_worker

__all__ = [
    "DataError",
    "HpsearchError",
    "PrunerName",
    "SamplerName",
    "StudyConfig",
    "StudyError",
    "TrialFailed",
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
