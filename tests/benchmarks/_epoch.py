"""Epoch time of one model on hpsearch's training path and of the naive Keras pipeline, on the
same encoded rows: what ``bench_epoch.py`` and ``bench_gpu.py`` time.

hpsearch's path is the trial's: the network from ``spaces.model`` (the n-gram bag as a sparse
tensor), compiled as a trial compiles it, fed by ``train_batches`` (length-bucketed batches
padded to their own longest text, masked). The naive pipeline (the one of a 30-class LSTM stuck
at 76% tuned by hand-rolled random search) pre-pads every text to 3000 tokens without a mask and
uses recurrent dropout, which rules out the cuDNN kernel.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from search.options import DataOptions
from search.study._featurize import featurize_split
from search.training import network_dims
from search.training._batches import _signature, train_batches
from search.training._prepared import Prepared
from spaces import Task
from spaces.model import build_network, compile_network

BASE = {"embedding_dropout": 0.0, "dropout": 0.0, "conv": False, "dense_layers": 0,
        "learning_rate": 1e-3, "batch_size": 100, "class_weight": "none", "loss": "crossentropy"}
# The naive pipeline's model on hpsearch's path: one LSTM(100) over an 80-d embedding.
LSTM_100 = {**BASE, "family": "sequence", "rnn_layers": 1, "cell": "lstm", "rnn_units": 100,
            "bidirectional": False, "embedding_dim": 80, "embedding_dropout": 0.2,
            "pooling": "last"}
# The large model: two bidirectional LSTM(128) layers.
BILSTM = {**BASE, "family": "sequence", "rnn_layers": 2, "cell": "lstm", "rnn_units": 128,
          "bidirectional": True, "embedding_dim": 128, "pooling": "max_avg", "dropout": 0.2}
# The small model: an MLP on the TF-IDF n-gram bag (hpsearch's second starting point).
NGRAM_MLP = {**BASE, "family": "ngram", "ngram_order": 1, "ngram_vocab": 100_000,
             "ngram_weighting": "tfidf", "chars": False, "ngram_units": 256,
             "ngram_l2": 1e-8, "dropout": 0.5, "learning_rate": 3e-3, "batch_size": 256}
CUDNN_OPS = ("CudnnRNN", "CudnnRNNV2", "CudnnRNNV3")


@dataclass(frozen=True)
class EpochTime:
    seconds: float
    rows: int
    cudnn: bool  # the traced forward pass calls cuDNN's RNN kernel

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds


def prepare(path: Path, rows: int | None = None) -> tuple[Prepared, str, int]:
    """The study's data of ``path`` (its first ``rows`` training rows) as a worker encodes it,
    its task and its number of outputs."""
    import dataclasses

    from search.data import load_split

    split = load_split(path, DataOptions())
    data = featurize_split(split, DataOptions()).data
    if rows is not None and rows < len(data.y_train):
        data = dataclasses.replace(data, train_texts=data.train_texts[:rows],
                                   y_train=data.y_train[:rows])
    n_out = 1 if split.task.value == "binary" else len(split.classes)
    return Prepared(data), split.task.value, n_out


def uses_cudnn(model: keras.Model, signature: Any) -> bool:
    """Whether the model's traced training-mode forward pass holds a cuDNN RNN op (Keras
    uses it only on a GPU, for cuDNN-eligible layers: no recurrent dropout, masks
    right-padded)."""
    graph = tf.function(lambda x: model(x, training=True)).get_concrete_function(signature)
    definition = graph.graph.as_graph_def()
    ops = {node.op for node in definition.node}
    ops |= {node.op for function in definition.library.function for node in function.node_def}
    return bool(ops & set(CUDNN_OPS))


def timed_fit(model: keras.Model, data: Any, epochs: int = 2) -> float:
    """Seconds of the last of ``epochs`` epochs (the first pays for tracing)."""
    times: list[float] = []

    class Clock(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch: int, logs: object = None) -> None:
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: object = None) -> None:
            times.append(time.perf_counter() - self.start)

    if isinstance(data, tuple):
        model.fit(*data, batch_size=100, epochs=epochs, verbose=0, callbacks=[Clock()])
    else:
        model.fit(data, epochs=epochs, verbose=0, callbacks=[Clock()], shuffle=False)
    return times[-1]


def hpsearch_epoch(params: dict[str, Any], prepared: Prepared, task: str, n_out: int,
                   policy: str = "float32", epochs: int = 2) -> EpochTime:
    """One epoch of ``params`` on hpsearch's training path under ``policy``."""
    keras.backend.clear_session(free_memory=True)
    keras.mixed_precision.set_global_policy(policy)
    keras.utils.set_random_seed(0)
    inputs = prepared.train_inputs(params)
    y = prepared.data.y_train
    network = build_network(params, network_dims(prepared, params, Task(task), n_out),
                            sparse=True)
    compile_network(network, params, task=task)
    batches = train_batches(inputs, y, None, params["batch_size"], 0)
    seconds = timed_fit(network, batches, epochs)
    return EpochTime(seconds, len(y), uses_cudnn(network, _signature(inputs)))


def naive_epoch(prepared: Prepared, n_classes: int, naive_len: int = 3000,
                rows: int | None = None, epochs: int = 2) -> EpochTime:
    """One epoch of the naive pipeline: every text pre-padded to ``naive_len`` tokens."""
    keras.backend.clear_session(free_memory=True)
    keras.mixed_precision.set_global_policy("float32")
    keras.utils.set_random_seed(0)
    words, y = prepared.train.words, prepared.data.y_train
    n = min(rows or len(y), len(y))
    x = np.zeros((n, naive_len), dtype="int32")
    for i in range(n):
        row = words.values[words.splits[i]:words.splits[i + 1]][-naive_len:]
        x[i, naive_len - len(row):] = row  # pre-padding, as pad_sequences does
    model = keras.Sequential([
        keras.Input(shape=(naive_len,), dtype="int32"),
        keras.layers.Embedding(prepared.vocabulary.word_vocab_size, 80),
        keras.layers.SpatialDropout1D(0.2),
        keras.layers.LSTM(100, dropout=0.2, recurrent_dropout=0.2),
        keras.layers.Dense(n_classes, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    seconds = timed_fit(model, (x, y[:n]), epochs)
    return EpochTime(seconds, n, uses_cudnn(model, tf.TensorSpec([None, naive_len], tf.int32)))
