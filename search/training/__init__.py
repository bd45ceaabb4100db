"""Fitting one configuration: the only package of ``search`` that imports TensorFlow.

``Trainer`` is what a worker needs of it (TensorFlow's trainer, or a scripted stand-in in tests
and benchmarks), ``TrainResult`` what one fit returns. A family trained by Keras runs epochs
(``_keras_fit.py``); one solved in one step runs its solver (``_solver.py``). The device rules
(``_device_rules.py``: the GPU a worker was told to use, the dtype policy, the memory cap, and
the environment variables that carry them from the launcher) are pure Python. Importing this
package does not import TensorFlow; ``tensorflow_trainer()``, ``ensemble_model`` and
``inputs_model_bytes`` do.

May import ``search._errors``, ``search.metrics`` and ``spaces``; never ``storage`` or Optuna.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from search.training._device_rules import (
    ENV_ALLOCATOR,
    ENV_DEVICE_ORDER,
    ENV_GPU_MEMORY_MB,
    ENV_MIXED_PRECISION,
    ENV_VISIBLE,
    DeviceSettings,
    Precision,
    requested_gpus,
)
from search.training._dims import network_dims
from search.training._order import batch_rows
from search.training._protocol import COST_EPOCHS, FitSettings, Trainer
from search.training._result import EpochReport, TrainResult
from search.training._rows import (
    FIT_BYTES,
    GROWTH,
    TIME_POWER,
    over_fit_bytes,
    row_ladder,
    solver_threads,
)
from search.training._targets import solver_targets, solver_weights

if TYPE_CHECKING:
    from spaces import Task
    from spaces.features import StudyData


def tensorflow_trainer() -> Trainer:
    """The trainer that fits with TensorFlow (importing it takes seconds)."""
    from search.training import _trainer

    return _trainer


def ensemble_model(members: list[tuple[dict[str, Any], bytes, float]], data: StudyData,
                   task: Task, n_classes: int) -> bytes:
    """One Keras model averaging the members' probabilities (imports TensorFlow)."""
    from search.training._trainer import ensemble_model as build

    return build(members, data, task, n_classes)


def predict_seconds(model: bytes, texts: list[str]) -> float:
    """Seconds a saved model (a ``.keras`` file's bytes) takes to predict ``texts``, after one
    warm-up batch (imports TensorFlow)."""
    from search.training._trainer import predict_seconds as measure

    return measure(model, texts)


def inputs_model_bytes(data: StudyData, params: dict[str, Any]) -> bytes:
    """The featurizing layers a network of ``params`` reads through, as a ``.keras`` file's
    bytes (imports TensorFlow)."""
    from search.training._trainer import inputs_model_bytes as build

    return build(data, params)


__all__ = ["COST_EPOCHS", "ENV_ALLOCATOR", "ENV_DEVICE_ORDER", "ENV_GPU_MEMORY_MB",
           "ENV_MIXED_PRECISION", "ENV_VISIBLE", "FIT_BYTES", "GROWTH", "TIME_POWER",
           "DeviceSettings",
           "EpochReport", "FitSettings", "Precision", "TrainResult", "Trainer", "batch_rows",
           "ensemble_model", "inputs_model_bytes", "network_dims", "over_fit_bytes",
           "predict_seconds", "requested_gpus", "row_ladder", "solver_targets", "solver_threads",
           "solver_weights",
           "tensorflow_trainer"]
