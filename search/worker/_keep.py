"""The best trials' trained models, kept with the study: ``hpsearch export --model`` hands
one back exactly as it was scored, whichever machine trained it.

Kept in the study's own database (the blob table), so workers on other machines need nothing
more than the storage URL; a trial that falls out of the best few has its model deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import optuna
from optuna.trial import TrialState

import storage
from search.metrics import Direction
from search.study import MODEL_PREFIX as PREFIX
from search.study import model_key

log = logging.getLogger("hpsearch")
KEEP = 3  # trained models kept per study


class ModelKeeper:
    """Stores a finished trial's model when it is among the study's best ``KEEP``."""

    def __init__(self, direction: Direction, keep: int = KEEP):
        self.direction, self.keep = direction, keep

    def _best_numbers(self, study: optuna.Study, extra: tuple[int, float]) -> list[int]:
        scored = [(t.number, t.value) for t in study.get_trials(
            deepcopy=False, states=(TrialState.COMPLETE,)) if t.value is not None]
        scored = [s for s in scored if s[0] != extra[0]] + [extra]
        scored.sort(key=lambda s: s[1], reverse=self.direction is Direction.MAXIMIZE)
        return [number for number, _ in scored[:self.keep]]

    def offer(self, study: optuna.Study, number: int, value: float,
              save: Callable[[], bytes | None]) -> bool:
        """Keep trial ``number``'s model (``save()`` makes its bytes) if it ranks among the
        best; forget the models of trials that no longer do. True when it was kept."""
        best = self._best_numbers(study, (number, value))
        kept = number in best
        rdb = storage.storage_of(study)
        if kept:
            data = save()
            if data is None:
                return False
            storage.put_blob(rdb, study.study_name, model_key(number), data)
            log.debug("kept the model of trial %d (%.1f MB)", number, len(data) / 1e6)
        for key in storage.blob_keys(rdb, study.study_name, PREFIX):
            if int(key[len(PREFIX):]) not in best:
                storage.delete_blob(rdb, study.study_name, key)
        return kept
