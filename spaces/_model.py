"""Turn a trial's params into a Keras network from vectorized text to logits, and into the
text model users keep (raw strings in, probabilities out).

A network reads up to three inputs, by family: ``ngrams`` (a bag of n-grams, one column per
n-gram plus one for unknown ones, each row of unit length), ``ngram_ids`` (n-gram ids for the
fastText-style average) and ``words`` (word ids, right-padded with 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
from keras import layers, ops

from spaces._families import has_deep_part, input_names
from spaces._losses import make_loss
from spaces._text import ngram_bag_layer, ngram_id_layer, word_layer


@dataclass(frozen=True)
class Dims:
    """Sizes a network needs from the data: outputs, word ids, n-gram columns."""

    n_outputs: int
    word_vocab: int = 0
    ngram_width: int = 0


def _token_mask(ids, dtype="float32"):
    """1.0 at real tokens, 0.0 at padding, shaped (batch, length, 1)."""
    return ops.expand_dims(ops.cast(ops.not_equal(ids, 0), dtype), -1)


def _masked_mean(x, mask):
    return ops.sum(x * mask, axis=1) / ops.maximum(ops.sum(mask, axis=1), 1.0)


def _recurrent_layer(params, return_sequences):
    cell = layers.LSTM if params["cell"] == "lstm" else layers.GRU
    # Defaults keep the layer eligible for the cuDNN kernel: tanh/sigmoid, use_bias, no
    # recurrent dropout, GRU reset_after, and right-padded masks.
    layer = cell(params["rnn_units"], return_sequences=return_sequences)
    return layers.Bidirectional(layer) if params["bidirectional"] else layer


def _sequence_branch(params, ids, dims, embedding_matrix):
    """Word embeddings through recurrent and conv layers, pooled to one vector."""
    if params["pooling"] == "last" and (params["rnn_layers"] == 0 or params["conv"]):
        raise ValueError("pooling='last' takes the last state of a recurrent layer, so it needs "
                         "rnn_layers > 0 and conv off; use max, avg or max_avg instead")
    if embedding_matrix is not None:
        embed = layers.Embedding(
            dims.word_vocab, embedding_matrix.shape[1], mask_zero=True,
            embeddings_initializer=keras.initializers.Constant(embedding_matrix),
            trainable=bool(params.get("embedding_trainable", False)), name="word_embedding")
    else:
        embed = layers.Embedding(dims.word_vocab, params["embedding_dim"], mask_zero=True,
                                 name="word_embedding")
    x = embed(ids)
    if params["embedding_dropout"] > 0:
        x = layers.SpatialDropout1D(params["embedding_dropout"])(x)
    # Conv1D and pooling do not take Keras masks, so padding is zeroed and left out
    # explicitly: a text scores the same however it is padded.
    mask = _token_mask(ids, x.dtype)
    pooling, n_rnn = params["pooling"], params["rnn_layers"]
    for i in range(n_rnn):
        x = _recurrent_layer(params, return_sequences=not (i == n_rnn - 1 and pooling == "last"))(x)
        if params["dropout"] > 0:
            x = layers.Dropout(params["dropout"])(x)
    if params["conv"]:
        x = layers.Conv1D(params["conv_filters"], params["conv_kernel"], padding="same",
                          activation="relu")(x * mask)
    if pooling == "last":
        return x
    x, mask = ops.cast(x, "float32"), ops.cast(mask, "float32")
    pooled = {"max": lambda: ops.max(x * mask - (1.0 - mask) * 1e4, axis=1),
              "avg": lambda: _masked_mean(x, mask)}
    parts = ["max", "avg"] if pooling == "max_avg" else [pooling]
    return layers.Concatenate()([pooled[p]() for p in parts]) if len(parts) > 1 else \
        pooled[parts[0]]()


def build_network(params, dims, *, embedding_matrix=None, sparse=False):
    """An uncompiled network: the inputs of ``input_names(params)`` in, one logit per output.
    ``sparse``: the n-gram bag arrives as a ``tf.SparseTensor`` (training) or dense (export)."""
    inputs, features, wide = {}, [], None
    names = input_names(params)
    if "ngrams" in names:
        bag = inputs["ngrams"] = keras.Input((dims.ngram_width,), sparse=sparse, name="ngrams")
        penalty = keras.regularizers.L2(params["ngram_l2"])
        if params["ngram_hidden"]:
            hidden = layers.Dense(params["ngram_units"], activation="relu", dtype="float32",
                                  kernel_regularizer=penalty, name="ngram_hidden")(bag)
            features.append(layers.Dropout(params["dropout"])(hidden))
        else:
            wide = layers.Dense(dims.n_outputs, dtype="float32", kernel_regularizer=penalty,
                                name="wide")(bag)
    if "ngram_ids" in names:
        ids = inputs["ngram_ids"] = keras.Input((None,), dtype="int32", name="ngram_ids")
        embedded = layers.Embedding(dims.ngram_width + 1, params["embedding_dim"],
                                    name="ngram_embedding")(ids)
        mean = _masked_mean(ops.cast(embedded, "float32"), _token_mask(ids))
        features.append(layers.Dropout(params["dropout"])(mean))
    if "words" in names:
        words = inputs["words"] = keras.Input((None,), dtype="int32", name="words")
        features.append(_sequence_branch(params, words, dims, embedding_matrix))
    logits = wide
    if has_deep_part(params):
        x = features[0] if len(features) == 1 else layers.Concatenate()(features)
        for _ in range(params["dense_layers"]):
            x = layers.Dense(params["dense_units"], activation="relu")(x)
            x = layers.Dropout(params["dropout"])(x)
        # Logits stay float32 under mixed precision.
        deep = layers.Dense(dims.n_outputs, dtype="float32", name="logits")(x)
        logits = deep if wide is None else layers.Add(name="wide_and_deep")([wide, deep])
    return keras.Model(inputs, logits, name="network")


def compile_network(model, params, *, task, pos_weight=None):
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=params["learning_rate"]),
        loss=make_loss(task, params, pos_weight=pos_weight), jit_compile=False)
    return model


def vectorized_inputs(params, *, words=None, max_len=None, ngrams=None, idf=None):
    """A raw-string input and, from it, the network inputs of ``params``, computed by the
    vectorizer layers rebuilt from the study's vocabularies (``ngrams``/``idf``: the trial's
    n-gram subset)."""
    text = keras.Input(shape=(), dtype="string", name="text")
    names, fed = input_names(params), {}
    if "words" in names:
        fed["words"] = word_layer(words, max_len)(text)
    if "ngrams" in names:
        counts = ngram_bag_layer(ngrams, params["ngram_order"], params["ngram_weighting"],
                                 idf)(text)
        # multi_hot counts come as integers.
        fed["ngrams"] = layers.UnitNormalization(name="unit_length")(ops.cast(counts, "float32"))
    if "ngram_ids" in names:
        fed["ngram_ids"] = ngram_id_layer(ngrams, params["ngram_order"])(text)
    return text, fed


def text_model(network, params, *, task, **vocabulary):
    """Raw strings in, probabilities out: ``vectorized_inputs`` then ``network``."""
    text, fed = vectorized_inputs(params, **vocabulary)
    activation = "softmax" if task == "multiclass" else "sigmoid"
    probs = layers.Activation(activation, dtype="float32", name="probabilities")(network(fed))
    return keras.Model(text, probs, name="text_classifier")


def probabilities(logits, task):
    """Class probabilities from logits: softmax for multi-class, sigmoid otherwise."""
    logits = np.asarray(logits, dtype="float64")
    if task == "multiclass":
        z = np.exp(logits - logits.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)
    return 1.0 / (1.0 + np.exp(-logits))
