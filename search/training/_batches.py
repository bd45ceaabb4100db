"""Batches of a trial: a split's rows as the network's inputs.

Training batches are drawn each epoch from a seeded generator: rows are shuffled, and when the
network reads a sequence, gathered in pools of 32 batches and sorted by length inside each
pool, so a batch holds texts of similar length and is padded (with 0, masked) to its own
longest text only. The n-gram bag travels as a sparse tensor (a 100,000-column row holds a few
dozen values), or, in training, as a dense array when its batches are dense enough and small
enough (``dense_bag``). The exported script draws its batches with ``batch_rows`` itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import tensorflow as tf

from search.training._order import batch_rows
from spaces.features import Ragged, TrialInputs


def _padded(part: Ragged, rows: np.ndarray) -> np.ndarray:
    """Row ``i`` of the result is row ``rows[i]`` of ``part``, padded with 0 on the right."""
    taken = part.take(rows)
    out = np.zeros((len(rows), max(int(taken.lengths.max(initial=0)), 1)), dtype="int32")
    row_ids = taken.row_ids
    out[row_ids, np.arange(len(taken.values)) - taken.splits[row_ids]] = taken.values
    return out


# A bag's batches go dense in training when at least this share of their cells hold a value
# and a batch takes at most DENSE_BATCH_BYTES (an evaluation batch too, as the network then
# makes its sparse batches dense). On the 24,000-row set's n-gram MLP starting point (28,500
# columns, 1,500 values a row, 256 units, batches of 1,024) an epoch took 37 s sparse and 5 s
# dense (Keras' sparse product sends a gradient row per value, not per column).
DENSE_MIN_SHARE = 0.01
DENSE_BATCH_BYTES = 128 * 2**20
EVAL_BATCH = 256


def dense_bag(inputs: TrialInputs, batch_size: int) -> bool:
    """Whether the bag of ``inputs`` trains faster as dense batches of ``batch_size`` rows,
    within the memory allowed."""
    if inputs.bag is None or not inputs.bag.shape[0]:
        return False
    rows, width = inputs.bag.shape
    share = inputs.bag.nnz / (rows * max(width, 1))
    return (share >= DENSE_MIN_SHARE
            and max(batch_size, EVAL_BATCH) * width * 4 <= DENSE_BATCH_BYTES)


def network_batch(inputs: TrialInputs, rows: np.ndarray, dense: bool = False,
                  ) -> dict[str, tf.Tensor]:
    """The network's inputs for ``rows``: padded ids, and the bag as a ``tf.SparseTensor``
    (``dense``: an array)."""
    out: dict[str, tf.Tensor] = {}
    if inputs.words is not None:
        out["words"] = tf.constant(_padded(inputs.words, rows))
    if inputs.bag is not None and dense:
        out["ngrams"] = tf.constant(inputs.bag[rows].toarray().astype("float32", copy=False))
    elif inputs.bag is not None:
        bag = inputs.bag[rows].tocoo()
        out["ngrams"] = tf.SparseTensor(np.stack([bag.row, bag.col], axis=1).astype("int64"),
                                        bag.data.astype("float32"), bag.shape)
    return out


def _signature(inputs: TrialInputs, dense: bool = False) -> dict[str, tf.TypeSpec]:
    spec: dict[str, tf.TypeSpec] = {}
    if inputs.words is not None:
        spec["words"] = tf.TensorSpec([None, None], tf.int32)
    if inputs.bag is not None:
        width = inputs.bag.shape[1]
        spec["ngrams"] = (tf.TensorSpec([None, width], tf.float32) if dense
                          else tf.SparseTensorSpec([None, width], tf.float32))
    return spec


def sequence_lengths(inputs: TrialInputs) -> np.ndarray | None:
    """What a batch is padded to: the words; None for a bag alone."""
    return None if inputs.words is None else inputs.words.lengths


def train_batches(inputs: TrialInputs, y: np.ndarray, weights: np.ndarray | None,
                  batch_size: int, seed: int, dense: bool = False) -> tf.data.Dataset:
    """Each epoch draws new batches from one seeded generator: (inputs, y[, weights]);
    ``dense``: the bag as arrays (``dense_bag``)."""
    rng = np.random.default_rng(seed)
    lengths = sequence_lengths(inputs)
    weights = None if weights is None else np.asarray(weights, dtype="float32")

    def epoch() -> Iterator[tuple]:
        for rows in batch_rows(len(y), batch_size, rng, lengths):
            x = network_batch(inputs, rows, dense)
            yield (x, y[rows]) if weights is None else (x, y[rows], weights[rows])

    spec: tuple = (_signature(inputs, dense),
                   tf.TensorSpec([None, *y.shape[1:]], tf.as_dtype(y.dtype)))
    if weights is not None:
        spec = (*spec, tf.TensorSpec([None], tf.float32))
    return tf.data.Dataset.from_generator(epoch, output_signature=spec).prefetch(2)


def eval_batches(inputs: TrialInputs, batch_size: int = EVAL_BATCH,
                 ) -> tuple[list[dict[str, tf.Tensor]], np.ndarray]:
    """Batches of rows sorted by length (least padding) and the order to undo it:
    ``logits[order] = predictions``."""
    lengths = sequence_lengths(inputs)
    n_rows = inputs.n_rows
    order = (np.arange(n_rows) if lengths is None else np.argsort(lengths, kind="stable"))
    return [network_batch(inputs, order[i:i + batch_size])
            for i in range(0, n_rows, batch_size)], order


def logits_function(model, inputs: TrialInputs):
    """The model's forward pass as one traced function for any batch and length (Keras'
    ``predict`` would retrace for every new padded length)."""
    return tf.function(lambda x: model(x, training=False), input_signature=[_signature(inputs)])


def predict_logits(forward, batches: list[dict[str, tf.Tensor]], order: np.ndarray,
                   ) -> np.ndarray:
    """Logits in the original row order, from ``forward = logits_function(...)``."""
    logits = np.concatenate([np.asarray(forward(x), dtype="float32") for x in batches])
    out = np.empty_like(logits)
    out[order] = logits
    return out
