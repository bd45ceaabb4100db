"""Losses on logits (written out in ``spaces._loss_code``), and class weights."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from spaces._loss_code import LOSSES, loss_code

_NAMESPACE: dict = {"keras": keras, "np": np, "ops": ops}
exec(LOSSES, _NAMESPACE)  # noqa: S102
WeightedBinaryCrossentropy = _NAMESPACE["WeightedBinaryCrossentropy"]
SparseCrossentropy = _NAMESPACE["SparseCrossentropy"]


def make_loss(task, params, pos_weight=None):
    """The training loss for ``task`` (binary, multiclass, multilabel) and the trial params."""
    return eval(loss_code(task, params, pos_weight), _NAMESPACE)  # noqa: S307


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


def row_weights(task, y, params, n_classes):
    """Per-row training weights from the class-weight scheme (single-label tasks; None when
    all rows weigh the same)."""
    if task == "multilabel" or params["class_weight"] == "none":
        return None
    labels = np.asarray(y).astype(int).reshape(-1)
    counts = np.bincount(labels, minlength=2 if task == "binary" else n_classes)
    weights = class_weights(counts, params["class_weight"], params.get("class_weight_power", 0.5))
    return weights[labels]


def label_positive_weights(task, y, params):
    """Per-label positive weights for the multi-label loss (None for other tasks)."""
    if task != "multilabel":
        return None
    w = positive_weights(np.asarray(y).sum(axis=0), len(y), params["class_weight"],
                         params.get("class_weight_power", 0.5))
    return [float(v) for v in w]
