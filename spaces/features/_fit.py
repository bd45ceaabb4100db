"""Fitting the study's vocabularies on the training texts (``create``), in numpy and plain
Python: no TensorFlow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spaces.features._case import char_variants
from spaces.features._case import word_variants as find_word_variants
from spaces.features._tokens import folded, tokenize
from spaces.features._vocabulary import (
    CHAR_FIT_CHARS,
    CHAR_ORDERS,
    MAX_WORD_ORDER,
    WORD_FIT_CHARS,
    Vocabulary,
    choose_max_len,
    fit_chars,
    fit_words,
    length_percentiles,
    text_sample,
)


@dataclass(frozen=True)
class Fitted:
    """The vocabularies, and the token-length percentiles of the training texts."""

    vocabulary: Vocabulary
    lengths: dict[str, int]


def fit_vocabulary(train_texts: Sequence[str], *, max_tokens: int, max_len: int | None = None,
                   seed: int = 0) -> Fitted:
    """Words for sequence models (``max_tokens``, texts cut at ``max_len``: by default the 95th
    percentile of training lengths) and word 1- to 3-grams, of a seeded sample of the texts
    (``WORD_FIT_CHARS``), and character 2- to 5-grams of a smaller one (``CHAR_FIT_CHARS``);
    every letter lower-cased, with the case variants the layers see."""
    chars_each = [len(t) for t in train_texts]
    sample = text_sample(chars_each, WORD_FIT_CHARS, seed)
    fitting = (train_texts if len(sample) == len(train_texts)
               else [train_texts[i] for i in sample])
    folds = [folded(t) for t in fitting]
    tokens = tokenize(folds)
    lengths = length_percentiles(tokens)
    words, ngrams, ngram_df = fit_words(tokens, max_tokens=max_tokens)
    del tokens
    ngram_variants, word_variants = find_word_variants(fitting, folds, ngrams, words,
                                                       MAX_WORD_ORDER)
    del folds
    char_texts = [train_texts[i] for i in text_sample(chars_each, CHAR_FIT_CHARS, seed)]
    char_folds = [folded(t) for t in char_texts]
    chars, char_orders, char_df = fit_chars(char_folds)
    vocabulary = Vocabulary(
        words=words, ngrams=ngrams, ngram_df=ngram_df, n_docs=len(fitting),
        max_len=max_len or choose_max_len(lengths), chars=chars, char_orders=char_orders,
        char_df=char_df, char_docs=len(char_texts), word_variants=word_variants,
        ngram_variants=ngram_variants,
        char_variants=char_variants(char_texts, char_folds, chars, CHAR_ORDERS))
    return Fitted(vocabulary, lengths)
