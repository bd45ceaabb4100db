"""The model users keep as a TensorFlow SavedModel, for TensorFlow Serving: a batch of raw
strings in; each class's probability and each text's label(s) out, decided inside the graph by
the rule ``search.metrics.predict_labels`` applies to the Keras model's outputs (with the
thresholds of labels.json), so a server labels a text as ``hpsearch predict`` does.

Its signature ``serving_default`` takes ``text`` (``tf.string``, shape ``[None]``) and returns,
a row per text: ``probabilities`` (float32, a column per class in labels.json's order; binary:
1 - p and p), ``classes`` (the names of those columns), and ``label`` (the class) or, for
multi-label, ``labels`` (the labels at or above their thresholds, joined by ``label_sep``) and
``predicted`` (bool, a column per label).
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
from pathlib import Path

import keras
import tensorflow as tf

from spaces.model._text_model import load_text_model

SIGNATURE = "serving_default"


def serving_outputs(outputs: tf.Tensor, task: str, classes: Sequence[str],
                    thresholds: Sequence[float] | None, label_sep: str) -> dict[str, tf.Tensor]:
    """The signature's outputs from the model's own (a binary model's one column).

    As ``predict_labels`` decides on float32 probabilities: thresholds are compared in
    float64 (numpy compares a float32 with a Python float so), and the multi-class argmax
    takes the first of tied classes (numpy's rule; ``tf.argmax`` promises none)."""
    width = 1 if task == "binary" else len(classes)
    outputs = tf.reshape(tf.cast(outputs, tf.float32), [-1, width])
    rows = tf.shape(outputs)[0]
    names = tf.tile(tf.constant([list(classes)], dtype=tf.string), [rows, 1])
    wide = tf.cast(outputs, tf.float64)
    probs = tf.concat([1.0 - wide, wide], axis=1) if task == "binary" else wide
    found = {"probabilities": tf.cast(probs, tf.float32), "classes": names}
    if task == "multiclass":
        top = tf.reduce_max(outputs, axis=1, keepdims=True)
        columns = tf.range(width)[tf.newaxis, :]
        first = tf.reduce_min(tf.where(outputs == top, columns, width), axis=1)
        found["label"] = tf.gather(names[0], first)
        return found
    limits = [0.5] * width if thresholds is None else [float(t) for t in thresholds]
    chosen = wide >= tf.constant([limits], dtype=tf.float64)
    if task == "binary":
        found["label"] = tf.gather(names[0], tf.cast(chosen[:, 0], tf.int32))
        return found
    found["labels"] = tf.strings.reduce_join(tf.ragged.boolean_mask(names, chosen), axis=1,
                                             separator=label_sep)
    found["predicted"] = chosen
    return found


def save_serving(model_file: str | Path, path: str | Path, task: str, classes: Sequence[str],
                 thresholds: Sequence[float] | None, label_sep: str = "|") -> Path:
    """The model saved at ``model_file`` (a ``.keras`` file: raw strings in, its outputs out)
    written as a SavedModel at ``path``, with the signature ``serving_default``. A write that
    fails raises ``OSError``."""
    model = load_text_model(model_file)
    archive = keras.export.ExportArchive()
    # The vocabularies' lookup tables must be tracked by hand; the weights go with the
    # function that uses them. Tracking the whole model would save every weight twice.
    for layer in model.layers:
        if isinstance(layer, keras.layers.TextVectorization):
            archive.track(layer)

    def serve(text: tf.Tensor) -> dict[str, tf.Tensor]:
        return serving_outputs(model(text, training=False), task, classes, thresholds,
                               label_sep)

    archive.add_endpoint(SIGNATURE, serve,
                         input_signature=[tf.TensorSpec([None], tf.string, name="text")])
    try:
        archive.write_out(str(path), verbose=False)
    except tf.errors.OpError as exc:
        # TensorFlow writes through its own file system; its errors are made the OS's (it
        # reports a full disk, ENOSPC, as resources exhausted).
        code = errno.ENOSPC if isinstance(exc, tf.errors.ResourceExhaustedError) else errno.EIO
        raise OSError(code, exc.message, str(path)) from exc
    return Path(path)
