"""A trial's params as a Keras network, from its inputs to one logit per output: the code its
family writes (``spaces.families.network_code``), run here and printed in the exported script,
so the two are one model, layer for layer (and, for a seed, weight for weight)."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import layers, ops

from spaces.families import Dims, network_code
from spaces.model import _helpers
from spaces.model._losses import make_loss


def build_network(params: dict[str, Any], dims: Dims, *, embedding_matrix=None,
                  sparse: bool = False) -> keras.Model:
    """An uncompiled network. ``sparse``: the n-gram bag arrives as a ``tf.SparseTensor``
    (training) or dense (the saved model)."""
    namespace: dict[str, Any] = {"keras": keras, "layers": layers, "ops": ops,
                                 **{name: getattr(_helpers, name) for name in _helpers.__all__}}
    exec(network_code(params, dims), namespace)  # noqa: S102 (the one network text)
    return namespace["build_network"](sparse=sparse, embedding_matrix=embedding_matrix)


def compile_network(model: keras.Model, params: dict[str, Any], *, task: str,
                    pos_weight: list[float] | None = None) -> keras.Model:
    # No XLA: the n-gram bag is a SparseTensor, which XLA cannot compile, and XLA compiles
    # once per input shape, so batches padded to their own length would recompile on nearly
    # every step (cuDNN RNNs opt out of XLA anyway).
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=params["learning_rate"]),
                  loss=make_loss(task, params, pos_weight=pos_weight), jit_compile=False)
    # The optimizer's slots made now: made in the first training step, they would make
    # TensorFlow trace that step twice (seconds a trial; the weights come out the same).
    model.optimizer.build(model.trainable_variables)
    return model


def probabilities(logits: np.ndarray, task: str) -> np.ndarray:
    """Class probabilities from logits: softmax for multi-class, sigmoid otherwise."""
    logits = np.asarray(logits, dtype="float64")
    if task == "multiclass":
        z = np.exp(logits - logits.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)
    return 1.0 / (1.0 + np.exp(-logits))
