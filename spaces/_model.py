"""Turn a trial's params into a compiled Keras model that maps token ids to logits.

This module is copied into exported scripts: it imports only keras, numpy and spaces._losses
(inlined there too).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from spaces._losses import make_loss


def _recurrent_layer(params, return_sequences):
    cell = layers.LSTM if params["cell"] == "lstm" else layers.GRU
    # Defaults keep the layer eligible for the cuDNN kernel: tanh/sigmoid, use_bias, no
    # recurrent dropout, GRU reset_after, and right-padded masks.
    layer = cell(params["rnn_units"], return_sequences=return_sequences)
    return layers.Bidirectional(layer) if params["bidirectional"] else layer


def build_model(params, *, task, n_outputs, vocab_size, embedding_matrix=None,
                pos_weight=None):
    """A compiled model: token ids (0 = padding, right-padded) in, one logit per output."""
    if params["pooling"] == "last" and (params["rnn_layers"] == 0 or params["conv"]):
        raise ValueError("pooling='last' takes the last state of a recurrent layer, so it needs "
                         "rnn_layers > 0 and conv off; use max, avg or max_avg instead")
    inputs = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    if embedding_matrix is not None:
        embed = layers.Embedding(
            vocab_size, embedding_matrix.shape[1], mask_zero=True,
            embeddings_initializer=keras.initializers.Constant(embedding_matrix),
            trainable=bool(params.get("embedding_trainable", False)), name="embedding")
    else:
        embed = layers.Embedding(vocab_size, params["embedding_dim"], mask_zero=True,
                                 name="embedding")
    x = embed(inputs)
    if params["embedding_dropout"] > 0:
        x = layers.SpatialDropout1D(params["embedding_dropout"])(x)

    # 1.0 at real tokens, 0.0 at padding. Conv1D and pooling do not take Keras masks, so
    # padding is zeroed and left out explicitly: a text scores the same however it is padded.
    token_mask = ops.expand_dims(ops.cast(ops.not_equal(inputs, 0), x.dtype), -1)
    pooling = params["pooling"]
    n_rnn = params["rnn_layers"]
    for i in range(n_rnn):
        last_state = i == n_rnn - 1 and pooling == "last"
        x = _recurrent_layer(params, return_sequences=not last_state)(x)
        if params["dropout"] > 0:
            x = layers.Dropout(params["dropout"])(x)
    if params["conv"]:
        x = layers.Conv1D(params["conv_filters"], params["conv_kernel"], padding="same",
                          activation="relu")(x * token_mask)
    if pooling != "last":
        x = ops.cast(x, "float32") * token_mask
        pooled = {
            "max": lambda: ops.max(x - (1.0 - token_mask) * 1e4, axis=1),
            "avg": lambda: ops.sum(x, axis=1) / ops.maximum(ops.sum(token_mask, axis=1), 1.0),
        }
        parts = ["max", "avg"] if pooling == "max_avg" else [pooling]
        x = layers.Concatenate()([pooled[p]() for p in parts]) if len(parts) > 1 else \
            pooled[parts[0]]()

    for _ in range(params["dense_layers"]):
        x = layers.Dense(params["dense_units"], activation="relu")(x)
        if params["dropout"] > 0:
            x = layers.Dropout(params["dropout"])(x)
    # Logits stay float32 under mixed precision.
    logits = layers.Dense(n_outputs, dtype="float32", name="logits")(x)
    model = keras.Model(inputs, logits)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=params["learning_rate"], clipnorm=1.0),
        loss=make_loss(task, params, pos_weight=pos_weight),
    )
    return model


def probabilities(logits, task):
    """Class probabilities from logits: softmax for multi-class, sigmoid otherwise."""
    logits = np.asarray(logits, dtype="float64")
    if task == "multiclass":
        z = np.exp(logits - logits.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)
    return 1.0 / (1.0 + np.exp(-logits))
