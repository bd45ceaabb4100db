"""Texts as Keras' ``TextVectorization`` layers see them, for fitting the vocabularies: the
words (lower-cased, punctuation stripped, split on whitespace) and the character n-grams
(lower-cased, split into characters, joined by a space). Imports TensorFlow.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import tensorflow as tf

from spaces.features._vocabulary import CHAR_ORDERS

# Keras' "lower_and_strip_punctuation" for words; "lower" (punctuation kept: it tells much
# at the character level) for characters. ASCII letters are lower-cased, others kept.
WORD_STANDARDIZE = "lower_and_strip_punctuation"
CHAR_STANDARDIZE = "lower"
PUNCTUATION = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'
_BATCH = 4096


def batches(texts: Sequence[str], size: int = _BATCH) -> Iterator[tf.Tensor]:
    for start in range(0, len(texts), size):
        yield tf.constant(list(texts[start:start + size]), dtype=tf.string)


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Each text's words, as the word layers standardize and split them."""
    out: list[list[str]] = []
    for batch in batches(texts):
        standard = tf.strings.regex_replace(tf.strings.lower(batch), PUNCTUATION, "")
        out.extend([t.decode("utf-8") for t in row]
                   for row in tf.strings.split(standard).to_list())
    return out


def char_grams(texts: Sequence[str]) -> tuple[list[list[str]], list[list[int]]]:
    """Each text's character n-grams of every length in ``CHAR_ORDERS``, and their lengths."""
    grams: list[list[str]] = []
    orders: list[list[int]] = []
    for batch in batches(texts):
        chars = tf.strings.unicode_split(tf.strings.lower(batch), "UTF-8")
        per_order = [tf.strings.ngrams(chars, n, separator=" ").to_list() for n in CHAR_ORDERS]
        for row in zip(*per_order, strict=True):
            grams.append([g.decode("utf-8") for part in row for g in part])
            orders.append([n for n, part in zip(CHAR_ORDERS, row, strict=True)
                           for _ in part])
    return grams, orders
