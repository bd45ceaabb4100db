"""A worker's data: the study's stored split encoded once with the featurizing layers, and each
trial's inputs derived from it, the latest few kept for the next trials that read the same."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

import numpy as np

from search.training._batches import eval_batches
from search.training._rows import stratified_order
from spaces import family_of
from spaces.features import (
    EncodedSplit,
    Ragged,
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
        self.held: EncodedSplit = encode(data.held_texts, data.vocabulary)
        self.encode_seconds = time.monotonic() - started
        self._train: OrderedDict[tuple, TrialInputs] = OrderedDict()
        self._val: OrderedDict[tuple, tuple[TrialInputs, list, np.ndarray]] = OrderedDict()
        self._order: np.ndarray | None = None

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

    def train_rows(self, rows: int) -> np.ndarray | None:
        """The first ``rows`` training rows of a stratified order (the same on every worker), in
        ascending order; None for every row."""
        if rows >= len(self.data.y_train):
            return None
        if self._order is None:
            self._order = stratified_order(self.data.y_train, seed=0)
        return np.sort(self._order[:rows])

    def held_inputs(self, params: dict[str, Any]) -> TrialInputs:
        """The inputs of the rows held out of every choice (scored once, after fitting)."""
        return self._inputs(self.held, params)

    def all_inputs(self, params: dict[str, Any]) -> tuple[TrialInputs, np.ndarray]:
        """Every labelled row's inputs (training, choosing, held, in that order) and targets:
        what the answer is refitted on."""
        data = self.data
        parts = [self._inputs(split, params) for split in (self.train, self.val, self.held)]
        held = data.y_val[:0] if data.y_held is None else data.y_held  # none held: no rows
        return joined_inputs(parts), np.concatenate([data.y_train, data.y_val, held])

    def _inputs(self, encoded: EncodedSplit, params: dict[str, Any]) -> TrialInputs:
        family = family_of(params)
        return trial_inputs(encoded, self.vocabulary, family.reads, family.bag(params))


def joined_inputs(parts: list[TrialInputs]) -> TrialInputs:
    """The rows of ``parts``, one after another."""
    import scipy.sparse as sp

    words = None
    rows = [p.words for p in parts if p.words is not None]
    if len(rows) == len(parts):
        ends = np.cumsum([0] + [int(r.splits[-1]) for r in rows[:-1]])
        words = Ragged(np.concatenate([r.values for r in rows]), np.concatenate(
            [rows[0].splits[:1]] + [r.splits[1:] + end
                                    for r, end in zip(rows, ends, strict=True)]))
    bag = (None if parts[0].bag is None
           else sp.vstack([p.bag for p in parts], format="csr", dtype="float32"))
    return TrialInputs(words=words, bag=bag)


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
