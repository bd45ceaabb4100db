"""Epoch time: hpsearch's training path vs a naive Keras pipeline, same data and model size.

    python tests/benchmarks/bench_epoch.py [--data fortunes.csv] [--rows 1500]

The naive pipeline (the one of a 30-class LSTM stuck at 76% tuned by hand-rolled random search)
pads every text to 3000 tokens (Keras' default pre-padding, no mask) and uses
recurrent dropout, which rules out the cuDNN kernel; hpsearch pads each length bucket to its own
longest text, right-padded and masked, without recurrent dropout. Both train one LSTM(100) over
an 80-dimensional embedding with a softmax output, batch size 100; the second epoch is timed.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import keras
import numpy as np

from search.data._labels import encode_labels
from search.data._table import detect_task, load_table
from search.data._vectorize import (
    choose_max_len,
    encode,
    fit_vocabulary,
    length_percentiles,
    tokenize,
)
from search.training._batches import train_batches
from spaces._model import build_model
from tests.benchmarks._data import benchmark_data

# The one model both pipelines train: an LSTM(100) over an 80-dimensional embedding.
MODEL_PARAMS = {"rnn_layers": 1, "cell": "lstm", "rnn_units": 100, "bidirectional": False,
                "embedding_dim": 80, "embedding_dropout": 0.2, "dropout": 0.0, "conv": False,
                "pooling": "last", "dense_layers": 0, "learning_rate": 1e-3, "batch_size": 100,
                "class_weight": "none", "loss": "crossentropy"}


def timed_epochs(model: keras.Model, data: object, epochs: int = 2) -> float:
    """Seconds of the last of ``epochs`` epochs (the first pays for tracing)."""
    times = []

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data")
    parser.add_argument("--rows", type=int, default=1500, help="rows to train on")
    parser.add_argument("--naive-len", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        table = load_table(benchmark_data(args.data, Path(tmp)), drop_invalid=True)
    task, classes = detect_task(table)
    rng = np.random.default_rng(0)
    rows = rng.permutation(len(table.texts))[:args.rows]
    texts = [table.texts[i] for i in rows]
    y = encode_labels([table.labels[i] for i in rows], task.value, classes)
    tokens = [tokenize(t) for t in texts]
    vocab = fit_vocabulary(tokens, 20_000)
    max_len = choose_max_len(length_percentiles(tokens))
    ids, splits = encode(tokens, vocab, max_len)

    keras.utils.set_random_seed(0)
    ours = build_model(MODEL_PARAMS, task=task.value, n_outputs=len(classes),
                       vocab_size=len(vocab) + 2)
    ours_s = timed_epochs(ours, train_batches(ids, splits, y, None, 100, 0))

    naive_x = np.zeros((len(texts), args.naive_len), dtype="int32")
    for i in range(len(texts)):
        row = ids[splits[i]:splits[i + 1]][-args.naive_len:]
        naive_x[i, args.naive_len - len(row):] = row  # pre-padding, as pad_sequences does
    naive = keras.Sequential([
        keras.Input(shape=(args.naive_len,), dtype="int32"),
        keras.layers.Embedding(len(vocab) + 2, 80),
        keras.layers.SpatialDropout1D(0.2),
        keras.layers.LSTM(100, dropout=0.2, recurrent_dropout=0.2),
        keras.layers.Dense(len(classes), activation="softmax"),
    ])
    naive.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    naive_s = timed_epochs(naive, (naive_x, y))

    print(f"{len(texts)} rows, {len(classes)} classes, median {int(np.median(np.diff(splits)))} "
          f"tokens, hpsearch cut at {max_len}")
    print("| pipeline | epoch seconds | rows/s |")
    print("|---|---:|---:|")
    print(f"| naive ({args.naive_len} tokens, recurrent dropout) | {naive_s:.1f} | "
          f"{len(texts) / naive_s:.0f} |")
    print(f"| hpsearch (bucketed, masked, cuDNN-eligible) | {ours_s:.1f} | "
          f"{len(texts) / ours_s:.0f} |")
    print(f"speed-up: {naive_s / ours_s:.1f}x")


if __name__ == "__main__":
    main()
