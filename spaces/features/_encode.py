"""Encoding a split's texts with the featurizing layers: once per worker, over every word and
character n-gram of the vocabularies, so that each trial then takes its bag from the counts
(``spaces.features._inputs.bag``) without touching the texts again. Imports TensorFlow.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import scipy.sparse as sp
import tensorflow as tf

from spaces.features._case import Variants
from spaces.features._inputs import EncodedSplit, Ragged, stacked_rows
from spaces.features._layers import char_count_layer, ngram_count_layer, word_layer
from spaces.features._vocabulary import CHAR_ORDERS, MAX_WORD_ORDER, Vocabulary

_BATCH = 4096


def encode(texts: Sequence[str], vocabulary: Vocabulary) -> EncodedSplit:
    """Word ids cut at ``max_len``, and the counts of every n-gram of the vocabularies; case
    variants folded into their terms, as the featurizing layers fold them."""
    words = (word_layer(vocabulary.words + vocabulary.word_variants.terms, ragged=True)
             if vocabulary.words else None)
    ngrams = ngram_count_layer(vocabulary.ngrams + vocabulary.ngram_variants.terms,
                               MAX_WORD_ORDER, sparse=True)
    chars = (char_count_layer(vocabulary.chars + vocabulary.char_variants.terms, CHAR_ORDERS,
                              sparse=True) if vocabulary.chars else None)
    ngram_fold = _Fold(len(vocabulary.ngrams), vocabulary.ngram_variants)
    char_fold = _Fold(len(vocabulary.chars), vocabulary.char_variants)
    ids, ngram_parts, char_parts = [], [], []
    for batch in _batches(texts):
        if words is not None:
            ids.append(words(batch)[:, :vocabulary.max_len])
        ngram_parts.append(ngram_fold(ngrams(batch)))
        if chars is not None:
            char_parts.append(char_fold(chars(batch)))
    word_ids = _ragged(ids)
    if len(vocabulary.word_variants):
        to_term = vocabulary.word_variants.id_map(len(vocabulary.words), 2).astype("int32")
        word_ids = Ragged(to_term[word_ids.values], word_ids.splits)
    return EncodedSplit(words=word_ids,
                        ngram_counts=_stacked(ngram_parts, len(texts), len(vocabulary.ngrams)),
                        char_counts=_stacked(char_parts, len(texts), len(vocabulary.chars)))


class _Fold:
    """A layer's sparse counts over ``width`` terms and their variants, as CSR rows over the
    terms, each variant's count added into its term's column."""

    def __init__(self, width: int, variants: Variants):
        self.width = width
        self.matrix = sp.csr_matrix(
            (np.ones(len(variants), "float32"), (np.arange(len(variants)), variants.targets)),
            shape=(len(variants), width)) if len(variants) else None

    def __call__(self, counts: tf.SparseTensor) -> sp.csr_matrix:
        every = _csr(counts, self.width + (0 if self.matrix is None else self.matrix.shape[0]))
        if self.matrix is None:
            return every
        return (every[:, :self.width] + every[:, self.width:] @ self.matrix).tocsr()


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
    return stacked_rows(parts)


def _ragged(parts: list[tf.RaggedTensor]) -> Ragged:
    if not parts:
        return Ragged(np.zeros(0, "int32"), np.zeros(1, "int64"))
    joined = tf.concat(parts, axis=0)
    return Ragged(joined.flat_values.numpy().astype("int32"),
                  joined.row_splits.numpy().astype("int64"))
