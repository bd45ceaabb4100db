"""The one stand-in for TensorFlow's trainer, in tests and benchmarks: no TensorFlow.

Each trial replays a loss curve set by its params: ``expected_value(params, epoch)``, lower for
a lower learning rate (or C, for a family solved in one step, which reports one epoch), so a
test can recompute every intermediate value the study should hold. Worker *processes* use it
with ``HPSEARCH_TRAINER=tests.scripted_trainer:ScriptedTrainer`` (from the repository root);
there ``$HPSEARCH_TEST_EPOCH_S`` makes each epoch sleep (a fixed-time objective for the storage
benchmark) and ``$HPSEARCH_TEST_FAIL=all`` fails every trial, as a trainer with a bug would.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Collection
from typing import Any

from search._errors import TrialFailed
from search.training import FitSettings, TrainResult
from spaces import Task, family_of

# What a scripted trial reports besides its loss: 1 / loss, so that better is consistent.
SCORES = ("accuracy", "macro_f1", "micro_f1", "f1_positive", "pr_auc")

ENV_EPOCH_S = "HPSEARCH_TEST_EPOCH_S"
ENV_FAIL = "HPSEARCH_TEST_FAIL"
TRAINER_SPEC = "tests.scripted_trainer:ScriptedTrainer"


def rate(params: dict[str, Any]) -> float:
    """What sets a scripted trial's curve: its learning rate, or C / 1000."""
    return params["learning_rate"] if "learning_rate" in params else params["linear_c"] / 1000


def expected_value(params: dict[str, Any], epoch: int) -> float:
    """The val_loss reported for ``epoch`` (1-based): lower rates do better."""
    return math.log10(rate(params)) + 5 + 1.0 / epoch


def per_class_metrics(task: Task, classes: list[str], loss: float) -> dict[str, Any]:
    """Plausible per-class figures: class i scores a little worse than class i-1."""
    quality = 1.0 / loss
    per_class = {
        label: {"precision": round(quality * (1 - 0.05 * i), 4),
                "recall": round(quality * (1 - 0.08 * i), 4),
                "f1": round(quality * (1 - 0.065 * i), 4),
                "support": 40 + 10 * i}
        for i, label in enumerate(classes)
    }
    out: dict[str, Any] = {"per_class": per_class}
    if task is not Task.MULTILABEL:
        n = len(classes)
        out["confusion_matrix"] = [
            [int(40 + 10 * i - 3 * (n - 1)) if i == j else 3 for j in range(n)]
            for i in range(n)
        ]
    return out


def held_probabilities(data: Any, settings: FitSettings) -> Any:
    """Probabilities of the held rows that lean to the right answer: what the TF-IDF + LR
    starting point is scored on to become a baseline."""
    import numpy as np

    y = getattr(data, "y_held", None)
    if y is None or not len(y):
        return None
    if settings.task is Task.MULTICLASS:
        n = len(settings.classes)
        probs = np.full((len(y), n), 0.4 / n)
        probs[np.arange(len(y)), np.asarray(y).astype(int)] += 0.6
        return probs
    return (0.2 + 0.6 * np.asarray(y, dtype="float64")).reshape(len(y), -1)


class ScriptedTrainer:
    """Stands in for ``search.training._trainer``. The calls (0, 1, ...) in ``fail_on`` fail
    (every call with ``fail_all``); those in ``prune_on`` are pruned at epoch ``prune_epoch``
    whatever the pruner says (a test then gets pruned trials whatever its study's name:
    Hyperband's brackets hash it). Like the real trainer, a trial stops at the first epoch end
    past the study's deadline. With ``detailed`` the best epoch also carries per-class metrics
    and a confusion matrix, as the real trainer records."""

    def __init__(self, fail_on: Collection[int] = (), *, fail_all: bool | None = None,
                 prune_on: Collection[int] = (), prune_epoch: int = 2,
                 epoch_s: float | None = None, detailed: bool = False):
        self.fail_on, self.prune_on, self.prune_epoch = set(fail_on), set(prune_on), prune_epoch
        self.fail_all = os.environ.get(ENV_FAIL) == "all" if fail_all is None else fail_all
        self.epoch_s = float(os.environ.get(ENV_EPOCH_S, "0")) if epoch_s is None else epoch_s
        self.detailed = detailed
        self.calls = 0

    def configure_devices(self) -> dict[str, Any]:
        """Pretends to train on the GPU it was given (``CUDA_VISIBLE_DEVICES``), unchecked."""
        return {"gpus": [], "device": os.environ.get("CUDA_VISIBLE_DEVICES") or "cpu",
                "policy": "float32"}

    def prepare(self, data: Any) -> Any:
        return data

    def fit(self, params: dict[str, Any], prepared: Any, settings: FitSettings, *,
            report: Any) -> TrainResult:
        call, self.calls = self.calls, self.calls + 1
        if self.fail_all:
            raise TrialFailed(f"scripted failure at rate {rate(params):.2e}")
        if call in self.fail_on:
            raise TrialFailed("training loss became nan at epoch 1")
        epochs = 1 if family_of(params).solver else settings.max_epochs
        best: dict[str, Any] = {}
        best_epoch = 0
        for epoch in range(epochs):
            if self.epoch_s:
                time.sleep(self.epoch_s)
            loss = expected_value(params, epoch + 1)
            metrics = {"val_loss": loss, **{name: 1 / loss for name in SCORES}}
            if not best or loss < best["val_loss"]:
                best, best_epoch = metrics, epoch
            pruned = bool(report(epoch, metrics)) or (
                call in self.prune_on and epoch + 1 >= min(self.prune_epoch, epochs))
            if pruned:
                return self._result(best, best_epoch, epoch + 1, settings, pruned=True)
            if settings.deadline is not None and time.monotonic() >= settings.deadline:
                return self._result(best, best_epoch, epoch + 1, settings, cut=True)
        return self._result(best, best_epoch, epochs, settings,
                            held=held_probabilities(prepared, settings))

    def _result(self, best: dict[str, Any], best_epoch: int, epochs_run: int,
                settings: FitSettings, pruned: bool = False, cut: bool = False,
                held: Any = None) -> TrainResult:
        if self.detailed:
            best.update(per_class_metrics(settings.task, settings.classes, best["val_loss"]))
        return TrainResult(best, best_epoch, epochs_run, pruned=pruned, cut_by_deadline=cut,
                           held_probs=held)

    def saved_model(self, params: Any, prepared: Any, result: Any, task: Any) -> None:
        return None

    def release(self) -> None:
        pass
