"""Turning text into what a network reads, in one place: what a text is before it is featurized
(``prepare_texts``: as written, cut at ``MAX_TEXT_CHARS``), tokenizing as Keras does, fitting the
study's vocabularies at ``create`` (words, word 1- to 3-grams, character 2- to 5-grams), the data
a study stores (``StudyData``), encoding it once per worker, each trial's inputs (word ids and
its bag of n-grams, ``BagSetting``), and the Keras layers that compute the same from raw strings
in the exported model.

Importing it loads numpy only (fitting the vocabularies needs no more); ``encode`` and the layers
(``Featurizer``, ``inputs_model``) load TensorFlow on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

from spaces.features._fit import Fitted, fit_vocabulary
from spaces.features._inputs import (
    NORMS,
    WEIGHTINGS,
    BagSetting,
    EncodedSplit,
    Ragged,
    TrialInputs,
    bag,
    head,
    joined_ragged,
    joined_splits,
    trial_inputs,
)
from spaces.features._stored import StudyData, stratified_order
from spaces.features._tokens import MAX_TEXT_CHARS, prepare_texts, tokenize
from spaces.features._vocabulary import (
    CHAR_FIT_CHARS,
    CHAR_ORDERS,
    CHAR_RANGES,
    MAX_NGRAMS,
    MAX_WORD_ORDER,
    Vocabulary,
    char_range,
)

if TYPE_CHECKING:
    from spaces.features._encode import encode
    from spaces.features._layers import Featurizer, inputs_model, weighted

__getattr__ = lazy_loader.attach(__name__, submod_attrs={
    "_encode": ["encode"],
    "_layers": ["Featurizer", "inputs_model", "weighted"],
})[0]

__all__ = ["CHAR_FIT_CHARS", "CHAR_ORDERS", "CHAR_RANGES", "MAX_NGRAMS", "MAX_TEXT_CHARS",
           "MAX_WORD_ORDER", "NORMS", "WEIGHTINGS", "BagSetting", "EncodedSplit", "Featurizer",
           "Fitted", "Ragged", "StudyData", "TrialInputs", "Vocabulary", "bag", "char_range",
           "encode", "fit_vocabulary", "head", "inputs_model", "joined_ragged", "joined_splits",
           "prepare_texts", "stratified_order", "tokenize", "trial_inputs",
           "weighted"]
