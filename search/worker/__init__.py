"""Running trials: the objective of one trial, the worker loop with its budgets, the best
trials' files kept, the TF-IDF + logistic-regression baseline fitted beside the trials, the
study's note kept current, stop signals that never cut a database write, progress lines,
``hpsearch run`` (create, work, then the ensemble, within a budget counted from Enter), and the
launcher that starts one worker process per GPU slot.

May import every package of ``search`` but ``export`` and ``cli``, and ``storage`` and
``spaces``. TensorFlow comes only through ``search.training.tensorflow_trainer()``, when no
stand-in trainer is given. ``run_search`` (which creates the study, reading its data file with
pandas) loads on first use.
"""

from typing import TYPE_CHECKING

import lazy_loader

from search.worker._launch import (
    WorkerExit,
    launch_workers,
    worker_args,
    worker_command,
    worker_env,
)
from search.worker._objective import Objective, record_metrics, worker_name
from search.worker._progress import LogProgress, Progress, TerminalProgress, make_progress
from search.worker._signals import STOP_SIGNALS, StopSignals
from search.worker._slots import ALL, LaunchError, WorkerSlot, parse_gpus, plan_slots
from search.worker._trainer_env import ENV_TRAINER, trainer_from_env
from search.worker._worker import WorkerSummary, run_worker

if TYPE_CHECKING:
    from search.worker._run_search import run_search

__getattr__ = lazy_loader.attach(__name__, submod_attrs={
    "_run_search": ["run_search"],
})[0]

__all__ = [
    "ALL",
    "ENV_TRAINER",
    "STOP_SIGNALS",
    "LaunchError",
    "LogProgress",
    "Objective",
    "Progress",
    "StopSignals",
    "TerminalProgress",
    "WorkerExit",
    "WorkerSlot",
    "WorkerSummary",
    "launch_workers",
    "make_progress",
    "parse_gpus",
    "plan_slots",
    "record_metrics",
    "run_search",
    "run_worker",
    "trainer_from_env",
    "worker_args",
    "worker_command",
    "worker_env",
    "worker_name",
]
