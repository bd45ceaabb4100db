"""A trial's n-gram inputs, derived from the stored split without re-tokenizing.

Each function gives what the exported model's ``TextVectorization`` layer (built by
``spaces.text_layers`` from the same vocabulary subset) computes from the raw text; the tests
check that value for value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from search.data._prepared import EncodedSplit, Ragged, take_rows
from search.data._vectorize import Vectorizer
from spaces._families import input_names
from spaces._network import Dims

WEIGHTINGS = ("binary", "count", "tfidf")


@dataclass(frozen=True)
class NgramSetting:
    """Which n-grams a trial uses: the ``size`` top n-grams of at most ``order`` words."""

    order: int
    size: int

    def subset(self, vectorizer: Vectorizer) -> np.ndarray:
        return vectorizer.ngram_subset(self.order, self.size)

    def width(self, vectorizer: Vectorizer) -> int:
        """Columns of the bag: column 0 for unknown n-grams, then the subset's."""
        return len(self.subset(vectorizer)) + 1


def _columns(split: EncodedSplit, vectorizer: Vectorizer, setting: NgramSetting,
             ) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every n-gram of at most ``order`` words; column 0 is "unknown",
    column j + 1 the subset's j-th n-gram."""
    subset = setting.subset(vectorizer)
    column = np.zeros(len(vectorizer.ngrams) + 2, dtype="int64")
    column[subset + 2] = np.arange(1, len(subset) + 1)
    keep = split.gram_orders() <= setting.order
    return split.grams.row_ids[keep], column[split.grams.values[keep]]


@dataclass(frozen=True)
class Bags:
    """Sparse rows of ``width`` columns: row ``i`` holds ``weights[splits[i]:splits[i+1]]``
    at ``columns[splits[i]:splits[i+1]]`` (ascending)."""

    columns: np.ndarray
    weights: np.ndarray
    splits: np.ndarray
    width: int

    def take(self, rows: np.ndarray) -> Bags:
        """These rows, in this order."""
        index, splits = take_rows(self.splits, rows)
        return Bags(self.columns[index], self.weights[index], splits, self.width)

    def dense(self) -> np.ndarray:
        out = np.zeros((len(self.splits) - 1, self.width), dtype="float32")
        rows = np.repeat(np.arange(len(self.splits) - 1), np.diff(self.splits))
        out[rows, self.columns] = self.weights
        return out


def ngram_bags(split: EncodedSplit, vectorizer: Vectorizer, setting: NgramSetting,
               weighting: str) -> Bags:
    """Each text as a bag of n-grams, L2-normalised: ``binary`` (1 where present), ``count``,
    or ``tfidf`` ((1 + ln count) x idf, float32 as Keras computes it); n-grams not in the
    subset (column 0) are left out (see ``spaces._text.ngram_bag``)."""
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting must be one of {WEIGHTINGS}, but got {weighting!r}")
    rows, columns = _columns(split, vectorizer, setting)
    width = setting.width(vectorizer)
    rows, columns = rows[columns > 0], columns[columns > 0]
    keys, counts = np.unique(rows * width + columns, return_counts=True)
    rows, columns = keys // width, keys % width
    weights = counts.astype("float32")
    if weighting == "binary":
        weights[:] = 1.0
    elif weighting == "tfidf":
        idf = np.concatenate([[0.0], vectorizer.idf(setting.subset(vectorizer))])
        weights = ((np.float32(1.0) + np.log(weights)) * idf.astype("float32")[columns])
    norms = np.sqrt(np.bincount(rows, weights=weights.astype("float64") ** 2,
                                minlength=len(split.n_tokens)))
    weights = (weights / np.maximum(norms[rows], 1e-12)).astype("float32")
    return Bags(columns, weights, _splits(rows, len(split.n_tokens)), width)


def ngram_ids(split: EncodedSplit, vectorizer: Vectorizer, setting: NgramSetting) -> Ragged:
    """Each text's n-grams as ids of the subset (2.., 1 unknown), unigrams first: the
    fastText-style input, which embeds and averages them."""
    rows, columns = _columns(split, vectorizer, setting)
    ids = np.where(columns > 0, columns + 1, 1)
    return Ragged(ids.astype("int32"), _splits(rows, len(split.n_tokens)))


def _splits(rows: np.ndarray, n_rows: int) -> np.ndarray:
    """Row splits of values sorted by row."""
    return np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_rows))]).astype("int64")


@dataclass(frozen=True)
class NetworkInputs:
    """What a network reads, for every row of one split (``None``: not read)."""

    words: Ragged | None = None
    ngram_ids: Ragged | None = None
    bags: Bags | None = None

    @property
    def n_rows(self) -> int:
        for part in (self.words, self.ngram_ids, self.bags):
            if part is not None:
                return len(part.splits) - 1
        raise ValueError("a network reads at least one input")


def network_inputs(split: EncodedSplit, vectorizer: Vectorizer, params: dict[str, Any],
                   ) -> NetworkInputs:
    """The inputs the network of ``params`` reads, for every row of ``split``."""
    names = input_names(params)
    setting = NgramSetting(params.get("ngram_order", 1), params.get("ngram_vocab", 0))
    return NetworkInputs(
        words=split.words if "words" in names else None,
        ngram_ids=ngram_ids(split, vectorizer, setting) if "ngram_ids" in names else None,
        bags=(ngram_bags(split, vectorizer, setting, params["ngram_weighting"])
              if "ngrams" in names else None))


def network_dims(vectorizer: Vectorizer, params: dict[str, Any], task: str,
                 n_classes: int) -> Dims:
    """The sizes the network of ``params`` needs from the study's data: one output for a
    binary task, else one per class."""
    width = 0
    if "ngram_order" in params:
        width = NgramSetting(params["ngram_order"], params["ngram_vocab"]).width(vectorizer)
    return Dims(1 if task == "binary" else n_classes, vectorizer.word_vocab_size, width)


def layer_vocabulary(vectorizer: Vectorizer, params: dict[str, Any]) -> dict[str, Any]:
    """What ``spaces.text_model`` needs to rebuild the vectorizer layers of ``params``:
    the words, the sequence length, the trial's n-gram subset and its idf."""
    out: dict[str, Any] = {"words": vectorizer.words, "max_len": vectorizer.max_len}
    if "ngram_order" in params:
        subset = NgramSetting(params["ngram_order"], params["ngram_vocab"]).subset(vectorizer)
        out["ngrams"] = [vectorizer.ngrams[i] for i in subset]
        out["idf"] = vectorizer.idf(subset)
    return out
