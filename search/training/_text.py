"""Texts through the study's vectorizer: tokens to fit it, ids to store with the study.

Both go through Keras' own text standardization, so what trials see is what the exported
model's ``TextVectorization`` layers compute (the tests check it on non-ASCII text).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import tensorflow as tf

from search.data import EncodedSplit, Ragged, Vectorizer
from search.data._vectorize import MAX_NGRAM_ORDER
from spaces import _text as text_layers

_BATCH = 4096


def _batches(texts: Sequence[str]):
    for start in range(0, len(texts), _BATCH):
        yield tf.constant(list(texts[start:start + _BATCH]), dtype=tf.string)


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Each text's tokens, as ``TextVectorization`` standardizes and splits them."""
    out: list[list[str]] = []
    for batch in _batches(texts):
        standard = tf.strings.regex_replace(tf.strings.lower(batch), text_layers.PUNCTUATION, "")
        out.extend([t.decode("utf-8") for t in row]
                   for row in tf.strings.split(standard).to_list())
    return out


def _ragged(layer, texts: Sequence[str], max_len: int | None = None) -> tuple[Ragged, np.ndarray]:
    """The layer's ragged ids for every text (cut at ``max_len``) and the uncut lengths."""
    values, lengths = [], []
    for batch in _batches(texts):
        ids = layer(batch)
        lengths.append(ids.row_lengths().numpy())
        if max_len is not None:
            ids = ids[:, :max_len]
        values.append(ids)
    if not values:
        return Ragged(np.zeros(0, "int32"), np.zeros(1, "int64")), np.zeros(0, "int64")
    joined = tf.concat(values, axis=0)
    return (Ragged(joined.flat_values.numpy().astype("int32"),
                   joined.row_splits.numpy().astype("int64")),
            np.concatenate(lengths).astype("int64"))


def encode(texts: Sequence[str], y: np.ndarray, vectorizer: Vectorizer) -> EncodedSplit:
    """Word ids (cut at the study's ``max_len``) and every n-gram's id, for storing."""
    words, n_tokens = _ragged(text_layers.word_layer(vectorizer.words, ragged=True), texts,
                              vectorizer.max_len)
    grams, _ = _ragged(text_layers.ngram_id_layer(vectorizer.ngrams, MAX_NGRAM_ORDER,
                                                  ragged=True), texts)
    return EncodedSplit(words=words, grams=grams, n_tokens=n_tokens, y=y)
