"""tf.data input of a trial: a split's rows as the network's inputs.

Batches group texts of similar length and are right-padded to their own longest text
(padding id 0, masked), so padded steps cost nothing; the n-gram bag travels as a sparse
tensor (a 100,000-column row holds a few dozen values).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from search.data import NetworkInputs

BUCKET_BOUNDARIES = [8, 16, 32, 64, 128, 256, 512, 1024]
_PADDING = {"words": 0, "ngram_ids": 0, "ngram_columns": np.int64(-1), "ngram_weights": 0.0}


def _rows(inputs: NetworkInputs, *columns: np.ndarray | None) -> tf.data.Dataset:
    """Row ``i`` as ({input: its values}, column values...), in row order."""
    ragged = {name: (tf.constant(values), tf.constant(splits, dtype=tf.int64))
              for name, (values, splits) in inputs._ragged().items()}
    cols = tuple(tf.constant(c) for c in columns if c is not None)

    def row(i: tf.Tensor) -> dict | tuple:
        x = {name: values[splits[i]:splits[i + 1]] for name, (values, splits) in ragged.items()}
        return (x, *(c[i] for c in cols)) if cols else x

    return tf.data.Dataset.range(inputs.n_rows).map(row, num_parallel_calls=tf.data.AUTOTUNE)


def _to_network(width: int):
    """Turns a padded batch's n-gram columns and weights into the sparse ``ngrams`` input."""

    def convert(x: dict, *rest: tf.Tensor) -> dict | tuple:
        if "ngram_columns" in x:
            x = dict(x)
            columns, weights = x.pop("ngram_columns"), x.pop("ngram_weights")
            at = tf.where(columns >= 0)
            x["ngrams"] = tf.SparseTensor(
                tf.stack([at[:, 0], tf.gather_nd(columns, at)], axis=1),
                tf.gather_nd(weights, at),
                tf.stack([tf.shape(columns, out_type=tf.int64)[0], tf.constant(width, tf.int64)]))
        return (x, *rest) if rest else x

    return convert


def _padding(inputs: NetworkInputs, n_rest: int) -> tuple:
    return ({name: tf.constant(_PADDING[name], dtype=_dtype(name))
             for name in inputs._ragged()}, *([None] * n_rest))


def _dtype(name: str) -> tf.DType:
    return {"words": tf.int32, "ngram_ids": tf.int32, "ngram_columns": tf.int64,
            "ngram_weights": tf.float32}[name]


def _sequence_length(x: dict, *_: tf.Tensor) -> tf.Tensor:
    name = "words" if "words" in x else "ngram_ids" if "ngram_ids" in x else "ngram_columns"
    return tf.shape(x[name])[0]


def train_batches(inputs: NetworkInputs, y: np.ndarray, weights: np.ndarray | None,
                  batch_size: int, seed: int, width: int = 0) -> tf.data.Dataset:
    """Shuffled each epoch, grouped by length, each batch padded to its longest row."""
    weights = None if weights is None else np.asarray(weights, dtype="float32")
    ds = _rows(inputs, y, weights).cache()
    ds = ds.shuffle(inputs.n_rows, seed=seed, reshuffle_each_iteration=True)
    padding = _padding(inputs, 1 if weights is None else 2)
    if inputs.words is None and inputs.ngram_ids is None:
        # A bag's cost does not grow with padding: batches stay random.
        ds = ds.padded_batch(batch_size, padding_values=padding)
    else:
        ds = ds.bucket_by_sequence_length(
            _sequence_length, BUCKET_BOUNDARIES, [batch_size] * (len(BUCKET_BOUNDARIES) + 1),
            padding_values=padding)
    return ds.map(_to_network(width)).prefetch(tf.data.AUTOTUNE)


def eval_batches(inputs: NetworkInputs, width: int = 0,
                 batch_size: int = 256) -> tuple[tf.data.Dataset, np.ndarray]:
    """Rows sorted by length (least padding) and the order to undo it:
    ``logits[order] = predictions``."""
    order = np.argsort(inputs.lengths(), kind="stable")
    ds = _rows(inputs.take(order)).padded_batch(batch_size, padding_values=_padding(inputs, 0)[0])
    return ds.map(_to_network(width)).cache().prefetch(tf.data.AUTOTUNE), order


def input_signature(names: tuple[str, ...], width: int) -> dict:
    spec = {"words": tf.TensorSpec([None, None], tf.int32),
            "ngram_ids": tf.TensorSpec([None, None], tf.int32),
            "ngrams": tf.SparseTensorSpec([None, width], tf.float32)}
    return {name: spec[name] for name in names}


def logits_function(model, names: tuple[str, ...], width: int):
    """The model's forward pass as one traced function for any batch and length (Keras'
    ``predict`` would retrace for every new padded length)."""
    return tf.function(lambda x: model(x, training=False),
                       input_signature=[input_signature(names, width)])


def predict_logits(forward, ds: tf.data.Dataset, order: np.ndarray) -> np.ndarray:
    """Logits in the original row order, from ``forward = logits_function(...)``."""
    logits = np.concatenate([np.asarray(forward(x), dtype="float32") for x in ds])
    out = np.empty_like(logits)
    out[order] = logits
    return out
