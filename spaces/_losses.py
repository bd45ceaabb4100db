"""Losses on logits: weighted cross-entropy, focal, and the top-k hardest examples of a batch.

This module is copied into exported scripts: it imports only keras and numpy.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops


def _bce_terms(y, logits, pos_weight):
    # Numerically stable form of tf.nn.weighted_cross_entropy_with_logits.
    log_weight = 1.0 + (pos_weight - 1.0) * y
    softplus_neg = ops.log1p(ops.exp(-ops.abs(logits))) + ops.relu(-logits)
    return (1.0 - y) * logits + log_weight * softplus_neg


@keras.saving.register_keras_serializable(package="hpsearch")
class WeightedBinaryCrossentropy(keras.losses.Loss):
    """Binary cross-entropy on logits, each label's positives weighted by ``pos_weight``."""

    def __init__(self, pos_weight=None, gamma=0.0, name="weighted_bce", **kwargs):
        super().__init__(name=name, **kwargs)
        self.pos_weight = None if pos_weight is None else [float(w) for w in pos_weight]
        self.gamma = float(gamma)

    def call(self, y_true, y_pred):
        y = ops.cast(y_true, y_pred.dtype)
        pw = 1.0 if self.pos_weight is None else ops.convert_to_tensor(
            np.asarray(self.pos_weight, dtype="float32"), dtype=y_pred.dtype)
        loss = _bce_terms(y, y_pred, pw)
        if self.gamma:
            p = ops.sigmoid(y_pred)
            p_t = y * p + (1.0 - y) * (1.0 - p)
            loss = loss * ops.power(1.0 - p_t, self.gamma)
        return ops.mean(loss, axis=-1)

    def get_config(self):
        return {**super().get_config(), "pos_weight": self.pos_weight, "gamma": self.gamma}


@keras.saving.register_keras_serializable(package="hpsearch")
class SparseCrossentropy(keras.losses.Loss):
    """Categorical cross-entropy on logits with integer targets, optionally focal
    (``gamma`` > 0) or restricted to the ``top_k`` hardest examples of each batch."""

    def __init__(self, gamma=0.0, top_k=0, name="sparse_ce", **kwargs):
        super().__init__(name=name, **kwargs)
        self.gamma = float(gamma)
        self.top_k = int(top_k)

    def call(self, y_true, y_pred):
        y = ops.cast(ops.reshape(y_true, (-1,)), "int32")
        ce = keras.losses.sparse_categorical_crossentropy(y, y_pred, from_logits=True)
        if self.gamma:
            ce = ce * ops.power(1.0 - ops.exp(-ce), self.gamma)
        if self.top_k:
            # Keep the shape (batch,) so sample weights still apply: zero all but the k largest,
            # and rescale so the batch mean equals the mean over those k.
            batch = ops.shape(ce)[0]
            k = ops.minimum(self.top_k, batch)
            kth = ops.min(ops.top_k(ce, k)[0])
            keep = ops.cast(ce >= kth, ce.dtype)
            ce = ce * keep * ops.cast(batch, ce.dtype) / ops.maximum(ops.sum(keep), 1.0)
        return ce

    def get_config(self):
        return {**super().get_config(), "gamma": self.gamma, "top_k": self.top_k}


def make_loss(task, params, pos_weight=None):
    """The training loss for ``task`` (binary, multiclass, multilabel) and the trial params."""
    gamma = params.get("focal_gamma", 0.0) if params.get("loss") == "focal" else 0.0
    if task == "multiclass":
        top_k = params.get("top_k", 0) if params.get("loss") == "top_k" else 0
        return SparseCrossentropy(gamma=gamma, top_k=top_k)
    if params.get("loss") == "top_k":
        raise ValueError("top_k loss needs a single-label task")
    return WeightedBinaryCrossentropy(pos_weight=pos_weight, gamma=gamma)


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
