"""Functions a network's code may call (``spaces.families.HELPERS``): the trial runs them, and
the exported script prints the source of those its network calls."""

from __future__ import annotations

from keras import ops


def token_mask(ids, dtype="float32", first=1):  # 1.0 at ids >= first, else 0.0: (batch, len, 1)
    return ops.expand_dims(ops.cast(ops.greater_equal(ids, first), dtype), -1)


def masked_mean(x, mask):  # over real tokens (Keras' pooling layers would count padding)
    return ops.sum(x * mask, axis=1) / ops.maximum(ops.sum(mask, axis=1), 1.0)


def masked_max(x, mask):
    return ops.max(x * mask - (1.0 - mask) * 1e4, axis=1)

__all__ = ["masked_max", "masked_mean", "token_mask"]
