"""Fitting the study's vocabularies on the training texts (``create``), in numpy and plain
Python: no TensorFlow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spaces.features._tokens import tokenize
from spaces.features._vocabulary import (
    Vocabulary,
    char_sample,
    choose_max_len,
    fit_chars,
    fit_words,
    length_percentiles,
)


@dataclass(frozen=True)
class Fitted:
    """The vocabularies, and the token-length percentiles of the training texts."""

    vocabulary: Vocabulary
    lengths: dict[str, int]


def fit_vocabulary(train_texts: Sequence[str], *, max_tokens: int, max_len: int | None = None,
                   seed: int = 0) -> Fitted:
    """Words for sequence models (``max_tokens``, texts cut at ``max_len``: by default the 95th
    percentile of training lengths), word 1- to 3-grams, and character 2- to 5-grams of a
    seeded sample of the texts."""
    tokens = tokenize(train_texts)
    lengths = length_percentiles(tokens)
    words, ngrams, ngram_df = fit_words(tokens, max_tokens=max_tokens)
    sample = char_sample([len(t) for t in train_texts], seed=seed)
    chars, char_orders, char_df = fit_chars([train_texts[i] for i in sample])
    vocabulary = Vocabulary(
        words=words, ngrams=ngrams, ngram_df=ngram_df, n_docs=len(train_texts),
        max_len=max_len or choose_max_len(lengths), chars=chars, char_orders=char_orders,
        char_df=char_df, char_docs=len(sample))
    return Fitted(vocabulary, lengths)
