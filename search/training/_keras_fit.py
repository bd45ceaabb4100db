"""Fitting a family that trains epoch by epoch: the network built from its params, batches drawn
from the trial's inputs, the validation split scored after each epoch, pruning, early stopping,
the study's deadline and the cost cap."""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from search.metrics import Direction, Metric, evaluate
from search.training._batches import (
    dense_bag,
    eval_batches,
    logits_function,
    predict_logits,
    train_batches,
)
from search.training._monitor import TrialMonitor
from search.training._prepared import Prepared
from search.training._protocol import FitSettings
from search.training._result import EpochReport, TrainResult
from search.training._rows import PROBE_ROWS, memory_note, memory_rows, network_row_bytes
from spaces.model import (
    build_network,
    compile_network,
    label_positive_weights,
    probabilities,
    row_weights,
)


def fit_keras(params: dict[str, Any], prepared: Prepared, settings: FitSettings,
              report: EpochReport, dims: Any) -> TrainResult:
    """Train ``params`` for up to ``max_epochs``; the result holds the best epoch's metrics,
    probabilities and weights (in ``model``)."""
    started = time.monotonic()
    task = settings.task.value
    n_train = len(prepared.data.y_train)
    row_bytes = network_row_bytes(prepared.counts_per_row(PROBE_ROWS))
    rows = min(n_train, memory_rows(row_bytes))
    y_train = prepared.data.y_train[:rows]
    val_inputs, val, val_order = prepared.val_inputs(params)
    train_inputs = prepared.train_inputs(params, rows)
    dense = dense_bag(train_inputs, params["batch_size"])  # sparse batches are made dense
    network = build_network(params, dims, embedding_matrix=prepared.data.embedding_matrix,
                            sparse=not dense)
    compile_network(network, params, task=task,
                    pos_weight=label_positive_weights(task, y_train, params))
    train = train_batches(train_inputs, y_train,
                          row_weights(task, y_train, params, len(settings.classes)),
                          params["batch_size"], settings.seed, dense)
    forward = logits_function(network, val_inputs)

    def score() -> tuple[dict[str, Any], np.ndarray]:
        probs = probabilities(predict_logits(forward, val, val_order), task)
        return evaluate(task, prepared.data.y_val, probs, settings.classes), probs

    monitor = TrialMonitor(
        score, metric=settings.metric,
        maximize=Metric(settings.metric).direction is Direction.MAXIMIZE,
        patience=settings.patience, report=report,
        steps_per_epoch=math.ceil(len(y_train) / params["batch_size"]),
        deadline=settings.deadline, cost_limit_s=settings.cost_limit_s)
    network.fit(train, epochs=settings.max_epochs, callbacks=[monitor], verbose=0,
                shuffle=False)
    if monitor.failure:
        return TrainResult(metrics={}, best_epoch=-1, epochs_run=monitor.epochs_run,
                           failure=monitor.failure)
    if monitor.best_weights is not None:
        network.set_weights(monitor.best_weights)
    held = None
    if prepared.data.held_texts and monitor.best_probs is not None:
        batches, order = eval_batches(prepared.held_inputs(params))
        held = probabilities(predict_logits(forward, batches, order), task)
    return TrainResult(
        metrics=monitor.best or {}, best_epoch=monitor.best_epoch, epochs_run=monitor.epochs_run,
        pruned=monitor.pruned, stopped_early=monitor.stopped_early,
        cut_by_deadline=monitor.cut_by_deadline, over_cost=monitor.over_cost,
        seconds=time.monotonic() - started, history=monitor.history, model=network,
        policy=network.dtype_policy.name, val_probs=monitor.best_probs, held_probs=held,
        row_bytes=row_bytes, **_rows_kept(rows, n_train, row_bytes, time.monotonic() - started))


def _rows_kept(rows: int, n_train: int, row_bytes: float, seconds: float) -> dict[str, Any]:
    """A network trained on fewer rows than every training row: which, and why."""
    if rows == n_train:
        return {}
    return {"rows": rows, "rows_seconds": seconds,
            "rows_note": memory_note(rows, row_bytes, n_train)}
