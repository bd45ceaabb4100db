"""Fitting one configuration: the only package of ``search`` that imports TensorFlow.

``Trainer`` is what a worker needs of it (TensorFlow's trainer, or a scripted stand-in in tests
and benchmarks), ``TrainResult`` what one fit returns. Importing this package does not import
TensorFlow; ``tensorflow_trainer()`` does. ``_batches.py`` is copied into exported scripts.

May import ``search._errors``, ``search.data``, ``search.metrics`` and ``spaces`` (its
``_model.py`` and ``_losses.py`` too); never ``storage`` or Optuna.
"""

from __future__ import annotations

from search.training._protocol import Trainer
from search.training._result import EpochReport, TrainResult


def tensorflow_trainer() -> Trainer:
    """The trainer that fits with TensorFlow (importing it takes seconds)."""
    from search.training import _trainer

    return _trainer


__all__ = ["EpochReport", "TrainResult", "Trainer", "tensorflow_trainer"]
