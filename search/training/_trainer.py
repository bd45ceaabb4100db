"""Fitting one configuration: a trial's inputs derived from the stored split, the network
built from its params, per-epoch validation, pruning, early stopping, the study's deadline and
the cost cap. With ``_batches.py``, ``_devices.py`` and ``_text.py``, the only modules of
``search`` that import TensorFlow; the module itself is the worker's ``Trainer``."""

from __future__ import annotations

import math
import tempfile
import time
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from search._errors import TrialFailed
from search.data import NetworkInputs, Prepared, layer_vocabulary, network_dims, network_inputs
from search.metrics import Direction, Metric
from search.metrics._evaluate import evaluate
from search.training._batches import (
    eval_batches,
    logits_function,
    predict_logits,
    train_batches,
)
from search.training._devices import apply_policy, configure_devices
from search.training._monitor import TrialMonitor
from search.training._protocol import FitSettings
from search.training._result import EpochReport, TrainResult
from spaces import Task
from spaces._model import build_network, compile_network, probabilities, text_model
from spaces._weights import label_positive_weights, row_weights

__all__ = ["configure_devices", "fit", "release", "saved_model", "validation_input"]


class ValInputs:
    """Validation batches, built once per worker for each distinct input setting."""

    def __init__(self, prepared: Prepared, keep: int = 4):
        self.prepared, self.keep = prepared, keep
        self._built: dict[tuple, tuple[NetworkInputs, list, np.ndarray]] = {}

    def get(self, params: dict[str, Any]) -> tuple[NetworkInputs, list, np.ndarray]:
        """(inputs, batches sorted by length, the order that undoes the sort)."""
        key = tuple(params.get(k) for k in _INPUT_KEYS)
        if key not in self._built:
            if len(self._built) >= self.keep:
                self._built.pop(next(iter(self._built)))
            inputs = network_inputs(self.prepared.val, self.prepared.vectorizer, params)
            self._built[key] = (inputs, *eval_batches(inputs))
        return self._built[key]


_INPUT_KEYS = ("family", "ngram_order", "ngram_vocab", "ngram_weighting")


def validation_input(prepared: Prepared) -> ValInputs:
    """The validation batches the trials of this worker share."""
    return ValInputs(prepared)


def _steps_per_epoch(n_rows: int, batch_size: int) -> int:
    return math.ceil(n_rows / batch_size)


def fit(params: dict[str, Any], prepared: Prepared, settings: FitSettings, *,
        report: EpochReport, datasets: ValInputs | None = None) -> TrainResult:
    """Train ``params`` for up to ``max_epochs``; the result holds the best epoch's metrics
    and the network with that epoch's weights (until ``release``).

    Raises TrialFailed on a non-finite loss, running out of memory, or a framework error.
    """
    started = time.monotonic()
    task = settings.task.value
    keras.utils.set_random_seed(settings.seed)
    apply_policy()  # every trial: the last one's release() reset it
    val_inputs, val, val_order = (datasets or validation_input(prepared)).get(params)
    y_train = prepared.train.y
    try:
        network = build_network(
            params, network_dims(prepared.vectorizer, params, task, len(settings.classes)),
            embedding_matrix=prepared.embedding_matrix, sparse=True)
        compile_network(network, params, task=task,
                        pos_weight=label_positive_weights(task, y_train, params))
        train = train_batches(network_inputs(prepared.train, prepared.vectorizer, params),
                              y_train, row_weights(task, y_train, params, len(settings.classes)),
                              params["batch_size"], settings.seed)
        forward = logits_function(network, val_inputs)

        def score() -> dict[str, Any]:
            logits = predict_logits(forward, val, val_order)
            return evaluate(task, prepared.val.y, probabilities(logits, task), settings.classes)

        monitor = TrialMonitor(
            score, metric=settings.metric,
            maximize=Metric(settings.metric).direction is Direction.MAXIMIZE,
            patience=settings.patience, report=report,
            steps_per_epoch=_steps_per_epoch(len(y_train), params["batch_size"]),
            deadline=settings.deadline, cost_limit_s=settings.cost_limit_s)
        network.fit(train, epochs=settings.max_epochs, callbacks=[monitor], verbose=0,
                    shuffle=False)
    except tf.errors.ResourceExhaustedError as exc:
        raise TrialFailed(f"out of memory: {str(exc).splitlines()[0][:300]}") from None
    except Exception as exc:  # a framework error fails this trial; the search goes on
        raise TrialFailed(f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}") from None
    if monitor.failure:
        raise TrialFailed(monitor.failure)
    if monitor.best_weights is not None:
        network.set_weights(monitor.best_weights)
    return TrainResult(
        metrics=monitor.best or {}, best_epoch=monitor.best_epoch, epochs_run=monitor.epochs_run,
        pruned=monitor.pruned, stopped_early=monitor.stopped_early,
        cut_by_deadline=monitor.cut_by_deadline, over_cost=monitor.over_cost,
        seconds=time.monotonic() - started, history=monitor.history,
        model=network, policy=network.dtype_policy.name,
    )


def saved_model(params: dict[str, Any], prepared: Prepared, result: TrainResult,
                task: Task) -> bytes | None:
    """The trained network behind the vectorizer layers rebuilt from the study's
    vocabularies, as a ``.keras`` file's bytes (what ``export --model`` writes)."""
    if result.model is None:
        return None
    n_classes = result.model.output_shape[-1]  # for a binary task: 1, as the rule gives it
    network = build_network(params, network_dims(prepared.vectorizer, params, task.value,
                                                 n_classes),
                            embedding_matrix=prepared.embedding_matrix, sparse=False)
    network.set_weights(result.model.get_weights())
    model = text_model(network, params, task=task.value,
                       **layer_vocabulary(prepared.vectorizer, params))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        model.save(path)
        return path.read_bytes()


def release() -> None:
    """Free the last trial's graph and memory before the next."""
    keras.backend.clear_session(free_memory=True)
