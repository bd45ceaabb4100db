"""A worker's data: the study's stored split encoded once with the featurizing layers, and each
trial's inputs derived from it, the latest few kept for the next trials that read the same."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

import numpy as np

from search.training._batches import eval_batches
from spaces import family_of
from spaces.features import (
    EncodedSplit,
    StudyData,
    TrialInputs,
    Vocabulary,
    encode,
    trial_inputs,
)

KEEP_TRAIN = 2  # training inputs kept (a bag over 24,000 rows weighs ~100 MB)
KEEP_VAL = 4


class Prepared:
    """The encoded splits and the inputs trials derive from them."""

    def __init__(self, data: StudyData):
        started = time.monotonic()
        self.data = data
        self.train: EncodedSplit = encode(data.train_texts, data.vocabulary)
        self.val: EncodedSplit = encode(data.val_texts, data.vocabulary)
        self.encode_seconds = time.monotonic() - started
        self._train: OrderedDict[tuple, TrialInputs] = OrderedDict()
        self._val: OrderedDict[tuple, tuple[TrialInputs, list, np.ndarray]] = OrderedDict()

    @property
    def vocabulary(self) -> Vocabulary:
        return self.data.vocabulary

    def train_inputs(self, params: dict[str, Any]) -> TrialInputs:
        return _cached(self._train, _key(params), KEEP_TRAIN,
                       lambda: self._inputs(self.train, params))

    def val_inputs(self, params: dict[str, Any]) -> tuple[TrialInputs, list, np.ndarray]:
        """(inputs, batches sorted by length, the order that undoes the sort)."""
        def build() -> tuple[TrialInputs, list, np.ndarray]:
            inputs = self._inputs(self.val, params)
            return (inputs, *eval_batches(inputs))

        return _cached(self._val, _key(params), KEEP_VAL, build)

    def _inputs(self, encoded: EncodedSplit, params: dict[str, Any]) -> TrialInputs:
        family = family_of(params)
        return trial_inputs(encoded, self.vocabulary, family.reads, family.bag(params))


def _key(params: dict[str, Any]) -> tuple:
    family = family_of(params)
    return family.reads, family.bag(params)


def _cached(cache: OrderedDict, key: tuple, keep: int, build: Any) -> Any:
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    while len(cache) >= keep:
        cache.popitem(last=False)
    cache[key] = build()
    return cache[key]
