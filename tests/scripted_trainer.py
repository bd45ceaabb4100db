"""The trainer of worker *processes* started by tests and benchmarks: no TensorFlow.

A worker uses it when started with ``HPSEARCH_TRAINER=tests.scripted_trainer:SleepingTrainer``
(from the repository root). Every epoch sleeps ``$HPSEARCH_TEST_EPOCH_S`` seconds (default 0)
and reports ``expected_value(learning_rate, epoch)``, so a test can recompute every
intermediate value the study should hold. The fixed sleep makes a fixed-time objective for the
storage benchmark.
"""

from __future__ import annotations

import math
import os
import time
from typing import Any

from search.training import FitSettings
from search.training._result import TrainResult

# What a scripted trial reports besides its loss: 1 / loss, so that better is consistent.
SCORES = ("accuracy", "macro_f1", "micro_f1", "f1_positive", "pr_auc")

ENV_EPOCH_S = "HPSEARCH_TEST_EPOCH_S"
TRAINER_SPEC = "tests.scripted_trainer:SleepingTrainer"


def expected_value(learning_rate: float, epoch: int) -> float:
    """The val_loss reported for ``epoch`` (1-based): lower learning rates do better."""
    return math.log10(learning_rate) + 5 + 1.0 / epoch


class NoTensorFlow:
    """The device and memory parts of the ``search.training._trainer`` interface, doing nothing."""

    def configure_devices(self) -> dict[str, Any]:
        """Pretends to train on the GPU it was given (``CUDA_VISIBLE_DEVICES``), unchecked."""
        return {"gpus": [], "device": os.environ.get("CUDA_VISIBLE_DEVICES") or "cpu",
                "policy": "float32"}

    def validation_input(self, prepared: Any) -> None:
        return None

    def saved_model(self, params: Any, prepared: Any, result: Any, task: Any) -> None:
        return None

    def release(self) -> None:
        pass


class SleepingTrainer(NoTensorFlow):
    """Stands in for ``search.training._trainer`` in a worker process."""

    def __init__(self) -> None:
        self.epoch_s = float(os.environ.get(ENV_EPOCH_S, "0"))

    def fit(self, params: dict[str, Any], prepared: Any, settings: FitSettings, *,
            report: Any, datasets: Any) -> TrainResult:
        max_epochs = settings.max_epochs
        best: dict[str, Any] = {}
        best_epoch = 0
        for epoch in range(max_epochs):
            if self.epoch_s:
                time.sleep(self.epoch_s)
            loss = expected_value(params["learning_rate"], epoch + 1)
            metrics = {"val_loss": loss, **{name: 1 / loss for name in SCORES}}
            if not best or loss < best["val_loss"]:
                best, best_epoch = metrics, epoch
            if report(epoch, metrics):
                return TrainResult(best, best_epoch, epoch + 1, pruned=True)
        return TrainResult(best, best_epoch, max_epochs)


class FailingTrainer(NoTensorFlow):
    """Every trial fails, as a trainer with a bug would (for the consecutive-failure stop)."""

    def fit(self, params: dict[str, Any], prepared: Any, *settings: Any,
            **more: Any) -> TrainResult:
        from search._errors import TrialFailed

        raise TrialFailed(f"scripted failure at learning rate {params['learning_rate']:.2e}")
