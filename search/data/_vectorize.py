"""The study's one vectorizer: its vocabularies, fitted once on the training split.

Tokens come from Keras' own standardization (``search.training.tokenize``), so the word and
n-gram vocabularies stored here rebuild, unchanged, the ``TextVectorization`` layers of the
exported model (``spaces.text_layers``). Nothing here re-fits anything after ``create``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

MAX_NGRAM_ORDER = 3
MAX_NGRAMS = 200_000


@dataclass(frozen=True)
class Vectorizer:
    """Vocabularies fitted on the training split.

    ``words``: the sequence vocabulary, most frequent first (ids 2.., 0 padding, 1 unknown).
    ``ngrams``: word 1- to 3-grams seen in at least ``min_df`` training texts, ranked by how
    many texts hold them (then alphabetically), with those counts in ``ngram_df``.
    """

    words: list[str]
    ngrams: list[str]
    ngram_df: np.ndarray
    n_docs: int
    max_len: int

    @property
    def word_vocab_size(self) -> int:
        return len(self.words) + 2

    @cached_property
    def ngram_orders(self) -> np.ndarray:
        return np.fromiter((g.count(" ") + 1 for g in self.ngrams), "int64", len(self.ngrams))

    def ngram_subset(self, order: int, size: int) -> np.ndarray:
        """Indices of the ``size`` top n-grams of at most ``order`` words (vocabulary order)."""
        return np.flatnonzero(self.ngram_orders <= order)[:size]

    def idf(self, subset: np.ndarray) -> np.ndarray:
        """Smoothed inverse document frequency, ln((1 + n) / (1 + df)) + 1, as float32."""
        df = self.ngram_df[subset].astype("float64")
        return (np.log((1.0 + self.n_docs) / (1.0 + df)) + 1.0).astype("float32")

    def available_ngrams(self, order: int = MAX_NGRAM_ORDER) -> int:
        return int((self.ngram_orders <= order).sum())


def ngrams_of(tokens: Sequence[str], order: int = MAX_NGRAM_ORDER) -> list[str]:
    """Every 1- to ``order``-gram, unigrams first, joined by a space as Keras joins them."""
    out = list(tokens)
    for n in range(2, order + 1):
        out.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return out


def fit_vectorizer(train_tokens: Sequence[Sequence[str]], *, max_tokens: int, max_len: int,
                   max_ngrams: int = MAX_NGRAMS) -> Vectorizer:
    """Vocabularies of the training texts' tokens; ties broken alphabetically, so the same
    data always gives the same vocabulary."""
    word_counts: Counter[str] = Counter()
    doc_freq: Counter[str] = Counter()
    for tokens in train_tokens:
        word_counts.update(tokens)
        doc_freq.update(set(ngrams_of(tokens)))
    words = sorted(word_counts, key=lambda w: (-word_counts[w], w))[:max(max_tokens - 2, 0)]
    # N-grams of a single text tell nothing of a class, unless there are too few texts for
    # any n-gram to come twice.
    min_df = 2 if len(train_tokens) >= 50 and max(doc_freq.values(), default=0) >= 2 else 1
    kept = sorted((g for g, n in doc_freq.items() if n >= min_df),
                  key=lambda g: (-doc_freq[g], g))[:max_ngrams]
    return Vectorizer(
        words=words, ngrams=kept,
        ngram_df=np.asarray([doc_freq[g] for g in kept], dtype="int64"),
        n_docs=len(train_tokens), max_len=max_len)


def length_percentiles(token_lists: Sequence[Sequence[str]]) -> dict[str, int]:
    lengths = np.array([len(t) for t in token_lists] or [0])
    return {f"p{q}": int(np.percentile(lengths, q)) for q in (50, 90, 95, 99)} | {
        "max": int(lengths.max())
    }


def choose_max_len(percentiles: dict[str, int], cap: int = 512) -> int:
    """Sequence cut-off: the 95th percentile of training lengths, at least 8, at most ``cap``."""
    return int(min(max(percentiles["p95"], 8), cap))
