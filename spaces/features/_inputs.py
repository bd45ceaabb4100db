"""A trial's inputs, derived from one split's encoding without re-tokenizing: word ids for a
sequence model, and the bag of n-grams its family asks for.

Every value here is what the exported model's layers (``spaces.features._layers``) compute from
the raw text; ``tests/spaces/test_features.py`` checks it value for value. Numpy and scipy only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from spaces.features._vocabulary import Vocabulary

if TYPE_CHECKING:  # loaded by the functions that build a bag: a worker starts without it
    import scipy.sparse as sp

WEIGHTINGS = ("binary", "count", "tfidf")
BAG_ROWS = 20_000  # rows a bag is weighed at a time (``bag``)
NORMS = ("l2", "l1")


@dataclass(frozen=True)
class BagSetting:
    """Which n-grams a bag holds and how they weigh: the ``size`` top word n-grams of at most
    ``order`` words and, with ``chars`` (``"2-5"``), the ``char_size`` top character n-grams of
    those lengths; ``weighting`` binary, count or tf-idf ((1 + ln count) x idf); each part
    scaled to unit length (``norm`` l2) or to sum 1 (l1)."""

    order: int
    size: int
    weighting: str = "tfidf"
    chars: str | None = None
    char_size: int = 0
    norm: str = "l2"

    def __post_init__(self) -> None:
        if self.weighting not in WEIGHTINGS:
            raise ValueError(f"weighting must be one of {WEIGHTINGS}, but got "
                             f"{self.weighting!r}")
        if self.norm not in NORMS:
            raise ValueError(f"norm must be one of {NORMS}, but got {self.norm!r}")

    def word_columns(self, vocabulary: Vocabulary) -> np.ndarray:
        """The word n-grams of the bag, as indices of ``vocabulary.ngrams``."""
        return vocabulary.ngram_subset(self.order, self.size)

    def char_columns(self, vocabulary: Vocabulary) -> np.ndarray:
        """The character n-grams of the bag, as indices of ``vocabulary.chars``."""
        if not self.chars:
            return np.zeros(0, "int64")
        return vocabulary.char_subset(self.chars, self.char_size)

    def width(self, vocabulary: Vocabulary) -> int:
        return len(self.word_columns(vocabulary)) + len(self.char_columns(vocabulary))


@dataclass(frozen=True)
class Ragged:
    """Rows of different lengths: row ``i`` is ``values[splits[i]:splits[i + 1]]``."""

    values: np.ndarray
    splits: np.ndarray

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.splits)

    @property
    def row_ids(self) -> np.ndarray:
        """The row of every value."""
        return np.repeat(np.arange(len(self.splits) - 1), self.lengths)

    def __len__(self) -> int:
        return len(self.splits) - 1

    def take(self, rows: np.ndarray) -> Ragged:
        """These rows, in this order."""
        lengths = np.diff(self.splits)[rows]
        splits = np.concatenate([[0], np.cumsum(lengths)]).astype("int64")
        shift = np.repeat(self.splits[:-1][rows] - splits[:-1], lengths)
        return Ragged(self.values[np.arange(splits[-1]) + shift], splits)


@dataclass(frozen=True)
class EncodedSplit:
    """One split as the study's vocabularies see it: word ids cut at ``max_len`` (1 unknown),
    and how often each word n-gram and each character n-gram of the vocabularies occurs in
    each text (columns: their indices in the vocabulary; unknown ones are not counted)."""

    words: Ragged
    ngram_counts: sp.csr_matrix
    char_counts: sp.csr_matrix

    @property
    def n_rows(self) -> int:
        return int(self.ngram_counts.shape[0])


def head(encoded: EncodedSplit, rows: int) -> EncodedSplit:
    """The first ``rows`` rows of ``encoded``."""
    words = encoded.words
    if len(words.splits) > rows:  # none are encoded when the vocabulary has no words
        words = Ragged(words.values[:words.splits[rows]], words.splits[:rows + 1])
    return EncodedSplit(words, encoded.ngram_counts[:rows], encoded.char_counts[:rows])


def joined_splits(parts: list[EncodedSplit]) -> EncodedSplit:
    """The rows of ``parts``, one after another; the list is emptied, each part's counts let go
    once copied (``stacked_rows``)."""
    words = joined_ragged([p.words for p in parts])
    ngrams, chars = [p.ngram_counts for p in parts], [p.char_counts for p in parts]
    parts.clear()
    return EncodedSplit(words, stacked_rows(ngrams), stacked_rows(chars))


def stacked_rows(parts: list[sp.csr_matrix]) -> sp.csr_matrix:
    """The rows of ``parts`` (float32 CSR of one width, at least one), one after another,
    column indices sorted. The list is emptied, each part let go once copied, so the peak holds
    the result and one part rather than every part and the result: encoding 260,000 training
    rows by rungs peaked about 0.5 GB lower (4.0 GB; 3.5 with this)."""
    import scipy.sparse as sp

    width = parts[0].shape[1]
    nnz, n_rows = sum(p.nnz for p in parts), sum(p.shape[0] for p in parts)
    index = "int64" if max(nnz, width) > np.iinfo("int32").max else "int32"
    data, indices = np.empty(nnz, "float32"), np.empty(nnz, index)
    indptr = np.zeros(n_rows + 1, index)
    at = row = 0
    parts.reverse()
    while parts:
        part = parts.pop()
        part.sort_indices()
        data[at:at + part.nnz], indices[at:at + part.nnz] = part.data, part.indices
        indptr[row + 1:row + part.shape[0] + 1] = part.indptr[1:] + at
        at, row = at + part.nnz, row + part.shape[0]
        del part
    return sp.csr_matrix((data, indices, indptr), shape=(n_rows, width))


def joined_ragged(parts: list[Ragged]) -> Ragged:
    """The rows of ``parts``, one after another."""
    ends = np.cumsum([0] + [int(r.splits[-1]) for r in parts[:-1]])
    return Ragged(np.concatenate([r.values for r in parts]), np.concatenate(
        [parts[0].splits[:1]] + [r.splits[1:] + end for r, end in zip(parts, ends, strict=True)]))


def bag(encoded: EncodedSplit, vocabulary: Vocabulary, setting: BagSetting) -> sp.csr_matrix:
    """Each text's bag of ``setting``: its word part, then its character part, each weighted
    and normalised on its own (float32). Weighed ``BAG_ROWS`` rows at a time: the steps in
    float64 take about 40 bytes an n-gram, which on 240,000 texts made a 1 GB bag cost 4 GB
    more at its peak."""
    import scipy.sparse as sp

    rows = encoded.ngram_counts.shape[0]
    if rows <= BAG_ROWS:
        return _bag(encoded.ngram_counts, encoded.char_counts, vocabulary, setting)
    return sp.vstack([_bag(encoded.ngram_counts[start:start + BAG_ROWS],
                           encoded.char_counts[start:start + BAG_ROWS], vocabulary, setting)
                      for start in range(0, rows, BAG_ROWS)], format="csr", dtype="float32")


def _bag(ngram_counts: sp.csr_matrix, char_counts: sp.csr_matrix, vocabulary: Vocabulary,
         setting: BagSetting) -> sp.csr_matrix:
    import scipy.sparse as sp

    words = setting.word_columns(vocabulary)
    parts = [_weighted(ngram_counts[:, words], vocabulary.ngram_idf(words), setting)]
    if setting.chars:
        chars = setting.char_columns(vocabulary)
        parts.append(_weighted(char_counts[:, chars], vocabulary.char_idf(chars), setting))
    out = sp.hstack(parts, format="csr", dtype="float32") if len(parts) > 1 else parts[0]
    out.sort_indices()
    return out


def _weighted(counts: sp.csr_matrix, idf: np.ndarray, setting: BagSetting) -> sp.csr_matrix:
    """(As ``spaces.features._layers.weighted`` computes them in float32.)"""
    import scipy.sparse as sp

    counts = counts.tocsr().astype("float32")
    counts.eliminate_zeros()
    values = counts.data
    if setting.weighting == "binary":
        values = np.ones_like(values)
    elif setting.weighting == "tfidf":
        values = (np.float32(1.0) + np.log(values)) * idf[counts.indices]
    rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    if setting.norm == "l2":
        totals = np.sqrt(np.bincount(rows, weights=values.astype("float64") ** 2,
                                     minlength=counts.shape[0]))
    else:
        totals = np.bincount(rows, weights=values.astype("float64"),
                             minlength=counts.shape[0])
    values = (values / np.maximum(totals[rows], 1e-12)).astype("float32")
    return sp.csr_matrix((values, counts.indices, counts.indptr), shape=counts.shape)


@dataclass(frozen=True)
class TrialInputs:
    """What a network reads, for every row of one split (``None``: not read)."""

    words: Ragged | None = None
    bag: sp.csr_matrix | None = None

    @property
    def n_rows(self) -> int:
        if self.words is not None:
            return len(self.words)
        if self.bag is not None:
            return int(self.bag.shape[0])
        raise ValueError("a network reads at least one input")


def trial_inputs(encoded: EncodedSplit, vocabulary: Vocabulary, reads: tuple[str, ...],
                 setting: BagSetting | None) -> TrialInputs:
    """The inputs a network reading ``reads`` ("words", "ngrams") takes, for every row."""
    return TrialInputs(
        words=encoded.words if "words" in reads else None,
        bag=bag(encoded, vocabulary, setting) if setting is not None else None)
