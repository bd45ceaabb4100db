"""The majority baseline every study is measured against, on its held validation rows (the
TF-IDF + logistic regression baseline is a starting point of the ``linear`` family, recorded
by the worker that runs it)."""

from __future__ import annotations

from typing import Any

import numpy as np

from search.metrics import RECORDED, evaluate
from spaces import Task


def _summary(task: Task, metrics: dict[str, Any]) -> dict[str, float]:
    return {m: round(float(metrics[m]), 5) for m in RECORDED[task] if m in metrics}


def majority_baseline(task: Task, y_train: np.ndarray, y_val: np.ndarray,
                      classes: list[str]) -> dict[str, float]:
    """Predict the training class frequencies for every row (so the majority class wins)."""
    if task is Task.MULTILABEL:
        prior = y_train.mean(axis=0)
    elif task is Task.BINARY:
        prior = np.array([y_train.mean()])
    else:
        prior = np.bincount(y_train, minlength=len(classes)) / len(y_train)
    probs = np.tile(prior, (len(y_val), 1))
    return _summary(task, evaluate(task.value, y_val, probs, classes, tune=False))
