"""The losses a Keras-trained trial uses: Keras' own where it has one, and the two it lacks
(binary cross-entropy weighted per label, and the focal and top-k forms of sparse
cross-entropy). ``loss_spec`` names the trial's loss once; ``make_loss`` builds it, and the
exported script prints it as code, with the source of these classes when it uses one."""

from __future__ import annotations

import pprint
from typing import Any

import keras
import numpy as np
from keras import ops


def bce_terms(y, logits, pos_weight):
    # Numerically stable form of tf.nn.weighted_cross_entropy_with_logits.
    log_weight = 1.0 + (pos_weight - 1.0) * y
    softplus_neg = ops.log1p(ops.exp(-ops.abs(logits))) + ops.relu(-logits)
    return (1.0 - y) * logits + log_weight * softplus_neg


class WeightedBinaryCrossentropy(keras.losses.Loss):
    """Binary cross-entropy on logits, each label's positives weighted by ``pos_weight``."""

    def __init__(self, pos_weight=None, gamma=0.0, name="weighted_bce", **kwargs):
        super().__init__(name=name, **kwargs)
        self.pos_weight = None if pos_weight is None else [float(w) for w in pos_weight]
        self.gamma = float(gamma)

    def call(self, y_true, y_pred):
        y = ops.reshape(ops.cast(y_true, y_pred.dtype), ops.shape(y_pred))  # (batch,) binary too
        pw = 1.0 if self.pos_weight is None else ops.convert_to_tensor(
            np.asarray(self.pos_weight, dtype="float32"), dtype=y_pred.dtype)
        loss = bce_terms(y, y_pred, pw)
        if self.gamma:
            p = ops.sigmoid(y_pred)
            p_t = y * p + (1.0 - y) * (1.0 - p)
            loss = loss * ops.power(1.0 - p_t, self.gamma)
        return ops.mean(loss, axis=-1)


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


CUSTOM = {"WeightedBinaryCrossentropy": WeightedBinaryCrossentropy,
          "SparseCrossentropy": SparseCrossentropy}
# What the exported script prints for each custom loss: the functions and classes it needs.
SCRIPT_SOURCES = {"WeightedBinaryCrossentropy": (bce_terms, WeightedBinaryCrossentropy),
                  "SparseCrossentropy": (SparseCrossentropy,)}
KERAS = {"SparseCategoricalCrossentropy": keras.losses.SparseCategoricalCrossentropy,
         "BinaryCrossentropy": keras.losses.BinaryCrossentropy}


def loss_spec(task: str, params: dict[str, Any],
              pos_weight: list[float] | None = None) -> tuple[str, dict[str, Any]]:
    """(the loss class's name, its arguments) for ``task`` (binary, multiclass, multilabel)."""
    loss = params.get("loss", "crossentropy")
    gamma = float(params.get("focal_gamma", 0.0)) if loss == "focal" else 0.0
    if task == "multiclass":
        top_k = int(params.get("top_k", 0)) if loss == "top_k" else 0
        if not gamma and not top_k:
            return "SparseCategoricalCrossentropy", {"from_logits": True}
        return "SparseCrossentropy", {"gamma": gamma, "top_k": top_k}
    if loss == "top_k":
        raise ValueError(f"loss top_k keeps the k hardest examples of a batch of single "
                         f"labels, but the task is {task}; use crossentropy or focal.")
    if pos_weight is not None and any(w != 1.0 for w in pos_weight):
        return "WeightedBinaryCrossentropy", {"pos_weight": [float(f"{w:.6g}")
                                                             for w in pos_weight],
                                              "gamma": gamma}
    if gamma:
        return "WeightedBinaryCrossentropy", {"gamma": gamma}
    return "BinaryCrossentropy", {"from_logits": True}


def loss_sources(task: str, params: dict[str, Any],
                 pos_weight: list[float] | None = None) -> tuple[Any, ...]:
    """The functions and classes a script must hold to make the loss (none for Keras')."""
    return SCRIPT_SOURCES.get(loss_spec(task, params, pos_weight)[0], ())


def make_loss(task: str, params: dict[str, Any],
              pos_weight: list[float] | None = None) -> keras.losses.Loss:
    name, arguments = loss_spec(task, params, pos_weight)
    return {**CUSTOM, **KERAS}[name](**arguments)


def loss_code(task: str, params: dict[str, Any], pos_weight: list[float] | None = None) -> str:
    """The expression that makes the loss, as the exported script writes it (after
    ``    loss = ``: a long one continues on lines indented by eight spaces)."""
    name, arguments = loss_spec(task, params, pos_weight)
    call = f"{'keras.losses.' if name in KERAS else ''}{name}("
    line = call + ", ".join(f"{k}={v!r}" for k, v in arguments.items()) + ")"
    if len(line) <= 90:
        return line
    indent = " " * 8
    parts = [indent + f"{k}=" + pprint.pformat(v, width=90 - len(k), compact=True).replace(
        "\n", "\n" + indent + " " * (len(k) + 1)) for k, v in arguments.items()]
    return call + "\n" + ",\n".join(parts) + ")"
