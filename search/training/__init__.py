"""Fitting one configuration: the only package of ``search`` that imports TensorFlow.

``Trainer`` is what a worker needs of it (TensorFlow's trainer, or a scripted stand-in in tests
and benchmarks), ``TrainResult`` what one fit returns. The device rules (``_device_rules.py``:
the GPU a worker was told to use, the dtype policy, the memory cap, and the environment
variables that carry them from the launcher) are pure Python. Importing this package does not
import TensorFlow; ``tensorflow_trainer()``, ``tokenize`` and ``encode_texts`` do.

May import ``search._errors``, ``search.data``, ``search.metrics`` and ``spaces`` (its
``_model.py`` and ``_losses.py`` too); never ``storage`` or Optuna.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

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
from search.training._protocol import FitSettings, Trainer
from search.training._result import EpochReport, TrainResult

if TYPE_CHECKING:
    import numpy as np

    from search.data import EncodedSplit, Vectorizer


def tensorflow_trainer() -> Trainer:
    """The trainer that fits with TensorFlow (importing it takes seconds)."""
    from search.training import _trainer

    return _trainer


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Each text's tokens, as the study's vectorizer layers see them (imports TensorFlow)."""
    from search.training._text import tokenize as tokenize_texts

    return tokenize_texts(texts)


def encode_texts(texts: Sequence[str], y: np.ndarray, vectorizer: Vectorizer) -> EncodedSplit:
    """Texts as the study stores them: word ids and every n-gram's id (imports TensorFlow)."""
    from search.training._text import encode

    return encode(texts, y, vectorizer)


__all__ = ["ENV_ALLOCATOR", "ENV_DEVICE_ORDER", "ENV_GPU_MEMORY_MB", "ENV_MIXED_PRECISION",
           "ENV_VISIBLE", "DeviceSettings", "EpochReport", "FitSettings", "Precision",
           "TrainResult", "Trainer", "encode_texts", "requested_gpus", "tensorflow_trainer",
           "tokenize"]
