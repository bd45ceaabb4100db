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
    head,
    joined_ragged,
    joined_splits,
    trial_inputs,
)

KEEP_TRAIN = 2  # training inputs kept (a bag over 24,000 rows weighs ~100 MB)
KEEP_VAL = 4


class Prepared:
    """The encoded splits and the inputs trials derive from them."""

    def __init__(self, data: StudyData):
        """The training rows are encoded when first needed, the first rows first (the study
        stores them in a stratified order: every prefix holds each class in its share): a
        trial grown by rungs of rows encodes no more rows than it fits."""
        started = time.monotonic()
        self.data = data
        self.val: EncodedSplit = encode(data.val_texts, data.vocabulary)
        self.held: EncodedSplit = encode(data.held_texts, data.vocabulary)
        self.encode_seconds = time.monotonic() - started
        self.train_encode_seconds = 0.0  # spent encoding training rows, kept for every trial
        self._train: EncodedSplit | None = None  # the first training rows, encoded
        self._train_cache: OrderedDict[tuple, TrialInputs] = OrderedDict()
        self._val: OrderedDict[tuple, tuple[TrialInputs, list, np.ndarray]] = OrderedDict()

    @property
    def train(self) -> EncodedSplit:
        """Every training row, encoded."""
        return self.train_split(len(self.data.y_train))

    def train_split(self, rows: int) -> EncodedSplit:
        """The first ``rows`` training rows encoded, encoding those not encoded yet."""
        done = 0 if self._train is None else self._train.n_rows
        if self._train is None or rows > done:
            started = time.monotonic()
            more = encode(self.data.train_texts[done:rows], self.vocabulary)
            self.train_encode_seconds += time.monotonic() - started
            if self._train is None:
                self._train = more
            else:  # joining lets each part go once it is copied: no other reference to them
                parts, self._train = [self._train, more], None
                del more
                self._train = joined_splits(parts)
        assert self._train is not None
        return self._train if rows == self._train.n_rows else head(self._train, rows)

    @property
    def vocabulary(self) -> Vocabulary:
        return self.data.vocabulary

    def train_inputs(self, params: dict[str, Any], rows: int | None = None) -> TrialInputs:
        """The inputs of the first ``rows`` training rows (every one by default)."""
        rows = len(self.data.y_train) if rows is None else min(rows, len(self.data.y_train))
        return _cached(self._train_cache, (*_key(params), rows), KEEP_TRAIN,
                       lambda: self._inputs(self.train_split(rows), params))

    def counts_per_row(self, probe: int) -> float:
        """The stored n-gram counts (every n-gram of the vocabularies) a training row holds,
        on average over the first ``probe`` rows."""
        rows = min(probe, len(self.data.y_train))
        split = self.train_split(rows)
        return 0.0 if not rows else (split.ngram_counts.nnz + split.char_counts.nnz) / rows

    def bag_values_per_row(self, params: dict[str, Any], probe: int) -> float:
        """The stored values a row of the bag of ``params`` holds, on average over the first
        ``probe`` training rows."""
        rows = min(probe, len(self.data.y_train))
        bag = self._inputs(self.train_split(rows), params).bag
        return 0.0 if bag is None or not rows else bag.nnz / rows

    def val_inputs(self, params: dict[str, Any]) -> tuple[TrialInputs, list, np.ndarray]:
        """(inputs, batches sorted by length, the order that undoes the sort)."""
        def build() -> tuple[TrialInputs, list, np.ndarray]:
            inputs = self._inputs(self.val, params)
            return (inputs, *eval_batches(inputs))

        return _cached(self._val, _key(params), KEEP_VAL, build)

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

    rows = [p.words for p in parts if p.words is not None]
    words = joined_ragged(rows) if len(rows) == len(parts) else None
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
