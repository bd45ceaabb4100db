"""The best trials' trained models and validation probabilities, kept with the study:
``hpsearch export --model`` hands a model back exactly as it was scored, whichever machine
trained it, and the ensemble (``search.ensemble``) averages the probabilities.

Kept as artifacts of their trials in the study's own database (``storage.keep_trial_file``),
so optuna-dashboard lists them on the trial's page and workers on other machines need nothing
more than the storage URL; a trial that falls out of the best few has its files deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import optuna
from optuna.trial import TrialState

import storage
from search.metrics import Direction
from search.study import HELD_FILE, MODEL_FILE, PROBS_FILE, probs_bytes

log = logging.getLogger("hpsearch")
KEEP = 5  # the best trials whose model and probabilities a study keeps (and each family's best)


class ModelKeeper:
    """Keeps a finished trial's files when it is among the study's best ``keep``, or the best
    of its model family: an ensemble gains most from members that err differently."""

    def __init__(self, direction: Direction, keep: int = KEEP):
        self.direction, self.keep = direction, keep

    def _kept_numbers(self, study: optuna.Study, extra: tuple[int, float, str]) -> set[int]:
        scored = [(t.number, t.value, str(t.params.get("family"))) for t in study.get_trials(
            deepcopy=False, states=(TrialState.COMPLETE,)) if t.value is not None]
        scored = [s for s in scored if s[0] != extra[0]] + [extra]
        scored.sort(key=lambda s: s[1], reverse=self.direction is Direction.MAXIMIZE)
        best_of_family = {family: number for number, _, family in reversed(scored)}
        return {number for number, _, _ in scored[:self.keep]} | set(best_of_family.values())

    def offer(self, study: optuna.Study, number: int, value: float, family: str,
              save: Callable[[], bytes | None], probs: np.ndarray | None,
              held: np.ndarray | None = None) -> bool:
        """Keep trial ``number``'s model (``save()`` makes its bytes), validation probabilities
        and held rows' probabilities if it ranks among the best; forget the files of trials
        that no longer do. True when it was kept."""
        best = self._kept_numbers(study, (number, value, family))
        kept = number in best
        if kept:
            data = save()
            if data is None:
                return False
            storage.keep_trial_file(study, number, MODEL_FILE, data)
            if probs is not None:
                storage.keep_trial_file(study, number, PROBS_FILE, probs_bytes(probs))
            if held is not None:
                storage.keep_trial_file(study, number, HELD_FILE, probs_bytes(held))
            log.debug("kept the model of trial %d (%.1f MB)", number, len(data) / 1e6)
        finished = {t.number for t in study.get_trials(deepcopy=False, states=(
            TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL))}
        for other in storage.trials_with_file(study, MODEL_FILE):
            if other not in best and other in finished:  # a running one may be saving its own
                storage.drop_trial_files(study, other)
        return kept
