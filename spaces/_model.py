"""Turn a trial's params into a compiled Keras model that maps token ids to logits.

This module is copied into exported scripts: it imports only keras, numpy and spaces._losses
(inlined there too).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

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

    pooling = params["pooling"]
    n_rnn = params["rnn_layers"]
    for i in range(n_rnn):
        last_state = i == n_rnn - 1 and pooling == "last"
        x = _recurrent_layer(params, return_sequences=not last_state)(x)
        if params["dropout"] > 0:
            x = layers.Dropout(params["dropout"])(x)
    if params["conv"]:
        x = layers.Conv1D(params["conv_filters"], params["conv_kernel"], padding="same",
                          activation="relu")(x)
    if pooling == "max":
        x = layers.GlobalMaxPooling1D()(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling1D()(x)
    elif pooling == "max_avg":
        x = layers.Concatenate()([layers.GlobalMaxPooling1D()(x),
                                  layers.GlobalAveragePooling1D()(x)])

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
