"""Fitting one configuration: length-bucketed tf.data input, per-epoch validation metrics,
pruning and early stopping. With ``_batches.py``, the only module of ``search`` that imports
TensorFlow; the module itself is the worker's ``Trainer``."""

from __future__ import annotations

import contextlib
import math
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Quiet TensorFlow's C++ start-up lines; on a machine without NVIDIA devices, its CUDA probe
# errors too (they say only that there is no GPU).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2" if os.path.exists("/dev/nvidiactl") else "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from search._errors import TrialFailed  # noqa: E402
from search.data._prepared import Prepared  # noqa: E402
from search.metrics import Direction, Metric  # noqa: E402
from search.metrics._evaluate import evaluate  # noqa: E402
from search.training._batches import (  # noqa: E402
    eval_batches,
    logits_function,
    predict_logits,
    train_batches,
)
from search.training._result import EpochReport, TrainResult  # noqa: E402
from spaces import Task  # noqa: E402
from spaces._losses import label_positive_weights, row_weights  # noqa: E402
from spaces._model import build_model, probabilities  # noqa: E402

_configured = False


def configure_devices(mixed_precision: bool | None = None) -> dict[str, Any]:
    """Memory growth on every GPU; mixed precision on GPUs with tensor cores (unless told).
    Safe to call more than once per process. Also silences two Keras warnings that are
    expected here: length-bucketed datasets have no known length, and Conv1D follows a
    masked sequence."""
    global _configured
    warnings.filterwarnings("ignore", message="Your input ran out of data")
    warnings.filterwarnings("ignore", message=".*does not support masking")
    gpus = tf.config.list_physical_devices("GPU")
    if not _configured:
        for gpu in gpus:
            with contextlib.suppress(RuntimeError):  # already initialised in this process
                tf.config.experimental.set_memory_growth(gpu, True)
        if mixed_precision is None:
            mixed_precision = bool(gpus) and all(
                tf.config.experimental.get_device_details(g).get("compute_capability", (0, 0))
                >= (7, 0) for g in gpus)
        if mixed_precision:
            keras.mixed_precision.set_global_policy("mixed_float16")
        _configured = True
    return {"gpus": [g.name for g in gpus],
            "policy": keras.mixed_precision.global_policy().name}


@dataclass
class ValInput:
    """Validation input built once per worker and reused by every trial."""

    val: tf.data.Dataset
    val_order: np.ndarray


def validation_input(prepared: Prepared) -> ValInput:
    """The validation batches every trial of this worker reuses."""
    return ValInput(*eval_batches(prepared.val_ids, prepared.val_splits))


class _EpochEvaluator(keras.callbacks.Callback):
    """Scores the validation split after each epoch, keeps the best weights, prunes, stops
    early after ``patience`` epochs without improvement, and stops on a non-finite loss."""

    def __init__(self, evaluate_fn: Callable[[], dict[str, Any]], metric: str,
                 patience: int, report: EpochReport):
        super().__init__()
        self.evaluate_fn = evaluate_fn
        self.metric = metric
        self.sign = -1.0 if Metric(metric).direction is Direction.MAXIMIZE else 1.0
        self.patience = patience
        self.report = report
        self.best: dict[str, Any] | None = None
        self.best_epoch = -1
        self.best_weights: list[np.ndarray] | None = None
        self.history: list[dict[str, float]] = []
        self.pruned = self.stopped_early = False
        self.failure: str | None = None
        self.epochs_run = 0

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.epochs_run = epoch + 1
        train_loss = float((logs or {}).get("loss", float("nan")))
        if not math.isfinite(train_loss):
            self.failure = f"training loss became {train_loss} at epoch {epoch + 1}"
            self.model.stop_training = True
            return
        metrics = self.evaluate_fn()
        value = float(metrics[self.metric])
        if not math.isfinite(value):
            self.failure = f"validation {self.metric} became {value} at epoch {epoch + 1}"
            self.model.stop_training = True
            return
        self.history.append({"epoch": epoch + 1, "loss": train_loss,
                             **{k: float(v) for k, v in metrics.items()
                                if isinstance(v, float)}})
        if self.best is None or self.sign * value < self.sign * float(self.best[self.metric]):
            self.best, self.best_epoch = metrics, epoch
            self.best_weights = self.model.get_weights()
        if self.report(epoch, metrics):
            self.pruned = True
            self.model.stop_training = True
        elif epoch - self.best_epoch >= self.patience:
            self.stopped_early = True
            self.model.stop_training = True


def fit(params: dict[str, Any], prepared: Prepared, *, task: Task, classes: list[str],
        metric: str, max_epochs: int, patience: int, report: EpochReport,
        datasets: ValInput | None = None, seed: int = 0,
        keep_model: bool = False) -> TrainResult:
    """Train ``params`` for up to ``max_epochs``; the result holds the best epoch's metrics.

    Raises TrialFailed on a non-finite loss, running out of memory, or a framework error.
    """
    keras.utils.set_random_seed(seed)
    if datasets is None:
        datasets = validation_input(prepared)
    pos_weight = label_positive_weights(task.value, prepared.y_train, params)
    n_out = 1 if task is Task.BINARY else len(classes)
    try:
        model = build_model(params, task=task.value, n_outputs=n_out,
                            vocab_size=prepared.vocab_size,
                            embedding_matrix=prepared.embedding_matrix, pos_weight=pos_weight)
        weights = row_weights(task.value, prepared.y_train, params, len(classes))
        train = train_batches(prepared.train_ids, prepared.train_splits, prepared.y_train,
                              weights, params["batch_size"], seed)

        forward = logits_function(model)

        def score() -> dict[str, Any]:
            logits = predict_logits(forward, datasets.val, datasets.val_order)
            return evaluate(task.value, prepared.y_val, probabilities(logits, task.value),
                            classes)

        evaluator = _EpochEvaluator(score, metric, patience, report)
        model.fit(train, epochs=max_epochs, callbacks=[evaluator], verbose=0, shuffle=False)
    except tf.errors.ResourceExhaustedError as exc:
        raise TrialFailed(f"out of memory: {str(exc).splitlines()[0][:300]}") from None
    except (tf.errors.OpError, ValueError, TypeError) as exc:
        raise TrialFailed(f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}") from None
    if evaluator.failure:
        raise TrialFailed(evaluator.failure)
    assert evaluator.best is not None
    if keep_model and evaluator.best_weights is not None:
        model.set_weights(evaluator.best_weights)
    return TrainResult(
        metrics=evaluator.best, best_epoch=evaluator.best_epoch, epochs_run=evaluator.epochs_run,
        pruned=evaluator.pruned, stopped_early=evaluator.stopped_early,
        history=evaluator.history, model=model if keep_model else None,
    )


def release() -> None:
    """Free the last trial's graph and memory before the next."""
    keras.backend.clear_session(free_memory=True)
