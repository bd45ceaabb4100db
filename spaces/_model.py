"""Turn a trial's params into a Keras network from vectorized text to logits, and into the
text model users keep (raw strings in, probabilities out).

A network reads up to three inputs, by family: ``ngrams`` (a bag of n-grams, one column per
n-gram plus one for unknown ones, each row of unit length), ``ngram_ids`` (n-gram ids for the
fastText-style average) and ``words`` (word ids, right-padded with 0). Its code is written out
by ``spaces._network``.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from spaces._families import input_names
from spaces._losses import make_loss
from spaces._network import HELPERS, Dims, network_code  # noqa: F401 (Dims: re-exported)
from spaces._text import ngram_bag, ngram_id_layer, word_layer


def build_network(params, dims, *, embedding_matrix=None, sparse=False):
    """An uncompiled network: the inputs of ``input_names(params)`` in, one logit per output.
    ``sparse``: the n-gram bag arrives as a ``tf.SparseTensor`` (training) or dense (the saved
    model). Built by running ``network_code``, the text the exported script prints."""
    namespace = {"keras": keras, "layers": layers, "ops": ops}
    exec(HELPERS + "\n\n" + network_code(params, dims), namespace)  # noqa: S102
    return namespace["build_network"](sparse=sparse, embedding_matrix=embedding_matrix)


def compile_network(model, params, *, task, pos_weight=None):
    # No XLA: the n-gram bag is a SparseTensor, which XLA cannot compile, and XLA compiles
    # once per input shape, so batches padded to their own length would recompile on nearly
    # every step (cuDNN RNNs opt out of XLA anyway).
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
        fed["ngrams"] = ngram_bag(text, ngrams, params["ngram_order"],
                                  params["ngram_weighting"], idf)
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
