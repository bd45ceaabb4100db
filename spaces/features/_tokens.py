"""Texts split into words as Keras' ``TextVectorization`` layers split them, for fitting the
vocabularies, in plain Python: ``create`` starts no TensorFlow. Keras' "lower_and_strip_punctuation"
lower-cases ASCII letters only, strips ASCII punctuation and splits on ASCII whitespace: what
``bytes.lower``, a bytes pattern and ``bytes.split`` do to the UTF-8 text
(``tests/spaces/test_features.py`` compares the words with the word layer's own).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Keras' standardizations: "lower_and_strip_punctuation" for words; "lower" (punctuation kept:
# it tells much at the character level) for characters. ASCII letters are lower-cased, others
# kept.
WORD_STANDARDIZE = "lower_and_strip_punctuation"
CHAR_STANDARDIZE = "lower"
PUNCTUATION = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'
_PUNCTUATION = re.compile(PUNCTUATION.encode("ascii"))


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Each text's words, as the word layers standardize and split them."""
    return [[word.decode("utf-8") for word in
             _PUNCTUATION.sub(b"", text.encode("utf-8").lower()).split()] for text in texts]
