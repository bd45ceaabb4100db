"""Class weights of a trial: per class (single-label) or per label's positives (multi-label).
Numpy only."""

from __future__ import annotations

import numpy as np


def class_weights(counts, scheme, power=0.5):
    """Per-class weights from class counts: none (all 1), balanced (n / (k * count)), or
    softened (balanced ** power). Classes with no examples get weight 1."""
    counts = np.asarray(counts, dtype="float64")
    if scheme == "none":
        return np.ones_like(counts)
    safe = np.where(counts > 0, counts, 1.0)
    weights = counts.sum() / (len(counts) * safe)
    if scheme == "softened":
        weights = weights ** power
    return np.where(counts > 0, weights, 1.0)


def positive_weights(positives, n_rows, scheme, power=0.5):
    """Per-label positive weights for multi-label: balanced = negatives / positives."""
    positives = np.asarray(positives, dtype="float64")
    if scheme == "none":
        return np.ones_like(positives)
    safe = np.where(positives > 0, positives, 1.0)
    weights = (n_rows - positives) / safe
    if scheme == "softened":
        weights = weights ** power
    return np.where(positives > 0, np.maximum(weights, 1e-3), 1.0)


def label_weights(task, y, params, n_classes):
    """Each class's weight under the trial's scheme (single-label tasks; None when all
    classes weigh the same)."""
    if task == "multilabel" or params["class_weight"] == "none":
        return None
    counts = np.bincount(np.asarray(y).astype(int).reshape(-1),
                         minlength=2 if task == "binary" else n_classes)
    return class_weights(counts, params["class_weight"], params.get("class_weight_power", 0.5))


def row_weights(task, y, params, n_classes):
    """Per-row training weights from the class-weight scheme (None when all rows weigh the
    same)."""
    weights = label_weights(task, y, params, n_classes)
    return None if weights is None else weights[np.asarray(y).astype(int).reshape(-1)]


def label_positive_weights(task, y, params):
    """Per-label positive weights for the multi-label loss (None for other tasks)."""
    if task != "multilabel":
        return None
    w = positive_weights(np.asarray(y).sum(axis=0), len(y), params["class_weight"],
                         params.get("class_weight_power", 0.5))
    return [float(v) for v in w]
