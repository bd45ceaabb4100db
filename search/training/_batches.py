"""tf.data input: length-bucketed, right-padded batches. Copied into exported scripts: numpy
and tensorflow only."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

BUCKET_BOUNDARIES = [8, 16, 32, 64, 128, 256, 512, 1024]


def _rows(ids, splits, *columns):
    """A dataset of (ids of row i, column values of row i...) with rows of their own length."""
    ids = tf.constant(ids, dtype=tf.int32)
    splits = tf.constant(splits, dtype=tf.int64)
    cols = tuple(tf.constant(c) for c in columns if c is not None)

    def row(i):
        x = ids[splits[i]:splits[i + 1]]
        return (x, *(c[i] for c in cols)) if cols else x

    return tf.data.Dataset.range(len(splits) - 1).map(row, num_parallel_calls=tf.data.AUTOTUNE)


def train_batches(ids, splits, y, weights, batch_size, seed):
    """Shuffled each epoch, grouped by length, each batch right-padded to its longest row
    (padding id 0, masked by the embedding), so padded steps cost nothing."""
    weights = None if weights is None else np.asarray(weights, dtype="float32")
    ds = _rows(ids, splits, y, weights).cache()
    ds = ds.shuffle(len(y), seed=seed, reshuffle_each_iteration=True)
    ds = ds.bucket_by_sequence_length(
        lambda x, *_: tf.shape(x)[0], BUCKET_BOUNDARIES,
        [batch_size] * (len(BUCKET_BOUNDARIES) + 1))
    return ds.prefetch(tf.data.AUTOTUNE)


def eval_batches(ids, splits, batch_size=256):
    """Rows sorted by length (least padding) and the order to undo it:
    ``probs[order] = model.predict(ds)``."""
    lengths = np.diff(splits)
    order = np.argsort(lengths, kind="stable")
    rows = [ids[splits[i]:splits[i + 1]] for i in order]
    values = np.concatenate(rows) if rows else np.zeros(0, "int32")
    sorted_splits = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype("int64")
    ds = _rows(values, sorted_splits)
    return ds.padded_batch(batch_size).cache().prefetch(tf.data.AUTOTUNE), order


def logits_function(model):
    """The model's forward pass as one traced function for any batch and length (Keras'
    ``predict`` would retrace for every new padded length)."""
    return tf.function(lambda x: model(x, training=False),
                       input_signature=[tf.TensorSpec([None, None], tf.int32)])


def predict_logits(forward, ds, order):
    """Logits in the original row order, from ``forward = logits_function(model)``."""
    logits = np.concatenate([np.asarray(forward(x), dtype="float32") for x in ds])
    out = np.empty_like(logits)
    out[order] = logits
    return out
