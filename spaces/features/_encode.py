"""Encoding a split's texts with the featurizing layers: once per worker, over every word and
character n-gram of the vocabularies, so that each trial then takes its bag from the counts
(``spaces.features._inputs.bag``) without touching the texts again. Imports TensorFlow.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import scipy.sparse as sp
import tensorflow as tf

from spaces.features._inputs import EncodedSplit, Ragged
from spaces.features._layers import char_count_layer, ngram_count_layer, word_layer
from spaces.features._vocabulary import CHAR_ORDERS, MAX_WORD_ORDER, Vocabulary

_BATCH = 4096


def encode(texts: Sequence[str], vocabulary: Vocabulary) -> EncodedSplit:
    """Word ids cut at ``max_len``, and the counts of every n-gram of the vocabularies."""
    words = word_layer(vocabulary.words, ragged=True) if vocabulary.words else None
    ngrams = ngram_count_layer(vocabulary.ngrams, MAX_WORD_ORDER, sparse=True)
    chars = (char_count_layer(vocabulary.chars, CHAR_ORDERS, sparse=True)
             if vocabulary.chars else None)
    ids, ngram_parts, char_parts = [], [], []
    for batch in _batches(texts):
        if words is not None:
            ids.append(words(batch)[:, :vocabulary.max_len])
        ngram_parts.append(_csr(ngrams(batch), len(vocabulary.ngrams)))
        if chars is not None:
            char_parts.append(_csr(chars(batch), len(vocabulary.chars)))
    return EncodedSplit(words=_ragged(ids),
                        ngram_counts=_stacked(ngram_parts, len(texts), len(vocabulary.ngrams)),
                        char_counts=_stacked(char_parts, len(texts), len(vocabulary.chars)))


def _batches(texts: Sequence[str], size: int = _BATCH) -> Iterator[tf.Tensor]:
    for start in range(0, len(texts), size):
        yield tf.constant(list(texts[start:start + size]), dtype=tf.string)


def _csr(counts: tf.SparseTensor, width: int) -> sp.csr_matrix:
    """A layer's sparse counts as CSR rows over the vocabulary (column 0, unknown, dropped)."""
    rows, columns = counts.indices.numpy().T
    keep = columns > 0
    n_rows = int(counts.dense_shape[0])
    return sp.csr_matrix((counts.values.numpy()[keep].astype("float32"),
                          (rows[keep], columns[keep] - 1)), shape=(n_rows, width))


def _stacked(parts: list[sp.csr_matrix], n_rows: int, width: int) -> sp.csr_matrix:
    if not parts:
        return sp.csr_matrix((n_rows, width), dtype="float32")
    out = sp.vstack(parts, format="csr", dtype="float32")
    out.sort_indices()
    return out


def _ragged(parts: list[tf.RaggedTensor]) -> Ragged:
    if not parts:
        return Ragged(np.zeros(0, "int32"), np.zeros(1, "int64"))
    joined = tf.concat(parts, axis=0)
    return Ragged(joined.flat_values.numpy().astype("int32"),
                  joined.row_splits.numpy().astype("int64"))
