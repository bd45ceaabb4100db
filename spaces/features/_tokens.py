"""What the featurizing layers see of a text, defined once: the study keeps each text as
written, cut at ``MAX_TEXT_CHARS`` characters (``prepare_texts``, at ``create``), and the
exported model is given texts as written too, so neither strips them (no built-in Keras layer
could strip the exported model's). Keras' "lower" lower-cases ASCII letters only
(``tf.strings.lower`` works on bytes, and no byte of a non-ASCII character's UTF-8 is an ASCII
letter: ``lowered``); the word layers then delete ASCII punctuation and split on ASCII whitespace
(``tokenize``), the character layer splits into Unicode code points. The vocabularies are
counted on ``folded`` text (every letter lower-cased), and what the layers see beyond it is
folded into it by ``spaces.features._case``. In plain Python, so that ``create`` starts no
TensorFlow; ``tests/spaces/test_features.py`` checks the layers against a reference written
from this definition, count for count.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import numpy as np

# Keras' standardizations: "lower_and_strip_punctuation" for words; "lower" (punctuation kept:
# it tells much at the character level) for characters.
WORD_STANDARDIZE = "lower_and_strip_punctuation"
CHAR_STANDARDIZE = "lower"
PUNCTUATION = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'
_PUNCTUATION = re.compile(PUNCTUATION.encode("ascii"))
# Texts are cut here so that one text cannot set the memory of a run (sequence models read at
# most 512 of its words anyway).
MAX_TEXT_CHARS = 100_000


def prepare_texts(texts: Sequence[str], limit: int = MAX_TEXT_CHARS,
                  ) -> tuple[list[str], np.ndarray]:
    """The texts as a study keeps them: as written, cut at ``limit`` characters; and the
    positions of those that were cut. (The exported model reads whole texts: a longer one
    gives it more n-grams than its cut gave the study.)"""
    cut = np.flatnonzero(np.fromiter((len(t) > limit for t in texts), bool, len(texts)))
    kept = list(texts)
    for i in cut.tolist():
        kept[i] = kept[i][:limit]
    return kept, cut


def lowered(text: str) -> str:
    """ASCII letters lower-cased, every other character as written: Keras' "lower"."""
    return _lowered(text).decode("utf-8")


def folded(text: str) -> str:
    """Every letter lower-cased whose lower case is one character (Unicode's mapping: ``É`` to
    ``é``, ``Σ`` to ``σ``; ``İ``, whose lower case is two, stays as written), every other
    character as written. Each character keeps its place, so a folded text's words and
    n-grams line up with those the layers see (``lowered``)."""
    return text.translate(_fold_table())


@cache
def _fold_table() -> dict[int, int]:
    table = {}
    for point in range(_LAST_CASED + 1):
        lower = chr(point).lower()
        if len(lower) == 1 and lower != chr(point):
            table[point] = ord(lower)
    return table


_LAST_CASED = 0x1E921  # the last capital letter Unicode lower-cases (Adlam)


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Each text's words, as the word layers standardize and split them."""
    return [[word.decode("utf-8") for word in _PUNCTUATION.sub(b"", _lowered(text)).split()]
            for text in texts]


def _lowered(text: str) -> bytes:
    return text.encode("utf-8").lower()
