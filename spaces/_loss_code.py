"""The losses a trial trains with, written as Keras code.

``LOSSES`` defines the two losses Keras lacks (cross-entropy weighted per label, and the focal
and top-k forms of sparse cross-entropy); ``loss_code`` writes the expression that makes the
trial's loss. ``spaces._losses`` runs both; the exported script prints them. Pure Python.
"""

from __future__ import annotations

from typing import Any

LOSSES = '''\
def _bce_terms(y, logits, pos_weight):
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
        y = ops.cast(y_true, y_pred.dtype)
        pw = 1.0 if self.pos_weight is None else ops.convert_to_tensor(
            np.asarray(self.pos_weight, dtype="float32"), dtype=y_pred.dtype)
        loss = _bce_terms(y, y_pred, pw)
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
'''


def loss_code(task: str, params: dict[str, Any], pos_weight: list[float] | None = None) -> str:
    """The expression that makes the training loss of ``params`` for ``task`` (binary,
    multiclass, multilabel): Keras' own where it has one."""
    loss = params.get("loss", "crossentropy")
    gamma = float(params.get("focal_gamma", 0.0)) if loss == "focal" else 0.0
    if task == "multiclass":
        top_k = int(params.get("top_k", 0)) if loss == "top_k" else 0
        if not gamma and not top_k:
            return "keras.losses.SparseCategoricalCrossentropy(from_logits=True)"
        return f"SparseCrossentropy(gamma={gamma!r}, top_k={top_k})"
    if loss == "top_k":
        raise ValueError("top_k loss needs a single-label task")
    if pos_weight is not None and any(w != 1.0 for w in pos_weight):
        weights = "[" + ", ".join(f"{w:.6g}" for w in pos_weight) + "]"
        return f"WeightedBinaryCrossentropy(pos_weight={weights}, gamma={gamma!r})"
    if gamma:
        return f"WeightedBinaryCrossentropy(gamma={gamma!r})"
    return "keras.losses.BinaryCrossentropy(from_logits=True)"


def uses_custom_loss(expression: str) -> bool:
    return not expression.startswith("keras.")
