"""The best trials' trained models and validation probabilities, kept with the study:
``hpsearch export --model`` hands a model back exactly as it was scored, whichever machine
trained it, and the ensemble (``search.ensemble``) averages the probabilities.

Kept as artifacts of their trials in the study's own database (``storage.keep_trial_files``),
so optuna-dashboard lists them on the trial's page and workers on other machines need nothing
more than the storage URL. The study's bound (``--keep-models``, ``--keep-bytes``, read from
the study at every trial, so ``hpsearch update`` reaches running workers) says how many stay:
``search.study.plan_kept`` chooses, and a trial that falls out has its files deleted, their
space given back.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable

import numpy as np
import optuna

import storage
from search._errors import DiskFull
from search.metrics import Direction
from search.options import KeepBound, format_size
from search.study import (
    HELD_FILE,
    MODEL_FILE,
    PROBS_FILE,
    KeptCandidate,
    config_of,
    packed_model,
    plan_kept,
    probs_bytes,
)

log = logging.getLogger("hpsearch")


class ModelKeeper:
    """Keeps a finished trial's files when they fit the study's bound, among its best (see
    ``search.study.choose_kept``); drops those of the trials they crowd out.

    A full disk does not fail the trial (its result is recorded, its model not kept): it is
    held in ``disk_full`` for the worker to stop on once the trial is recorded
    (``raise_if_disk_full``)."""

    def __init__(self, direction: Direction, bound: KeepBound | None = None):
        """``bound``: the study's own (its budget's) when None."""
        self.direction, self.bound = direction, bound
        self.disk_full: DiskFull | None = None

    def offer(self, study: optuna.Study, number: int, value: float, family: str,
              save: Callable[[], bytes | None], probs: np.ndarray | None,
              held: np.ndarray | None = None) -> bool:
        """Keep trial ``number``'s model (``save()`` makes its bytes, packed here), validation
        probabilities and held rows' probabilities if they fit the bound; drop the files of
        trials that no longer do. True when they were kept."""
        bound = self.bound or config_of(study).budget.keep_bound()
        kept, gone = plan_kept(study, bound, self.direction,
                               KeptCandidate(number, value, family, 0))
        files: dict[str, bytes] = {}
        if number in kept:
            try:
                data = save()
            except OSError as exc:  # Keras saves through a temporary file
                if not storage.is_disk_full(exc):
                    raise
                self.disk_full = _temp_full(number)
                return False
            if data is not None:
                files[MODEL_FILE] = packed_model(data)
                if probs is not None:
                    files[PROBS_FILE] = probs_bytes(probs)
                if held is not None:
                    files[HELD_FILE] = probs_bytes(held)
                size = sum(len(f) for f in files.values())
                kept, gone = plan_kept(study, bound, self.direction,
                                       KeptCandidate(number, value, family, size))
        keeping = number in kept and bool(files)
        try:
            # Dropped first: SQLite reuses the pages they leave without writing them to its
            # journal, so a study whose disk is nearly full can still swap a model for another.
            storage.drop_trial_files(study, *gone)
            if keeping:
                storage.keep_trial_files(study, number, files)
        except storage.StorageFull as full:
            self.disk_full = DiskFull(
                f"{full} Or keep fewer models: `hpsearch update --study {study.study_name} "
                f"--keep-models N --keep-bytes SIZE` (now {bound.models} and "
                f"{format_size(bound.bytes)}).")
            return False
        finally:
            if gone:
                storage.give_back_space(storage.storage_of(study))
        if keeping:
            log.debug("kept the model of trial %d (%s)", number, format_size(len(
                files[MODEL_FILE])))
        return keeping

    def raise_if_disk_full(self) -> None:
        """Raise the ``DiskFull`` a keep met, if one did: the worker calls it once the trial
        is recorded, and stops rather than meet the full disk at every trial after."""
        if self.disk_full is not None:
            raise self.disk_full


def _temp_full(number: int) -> DiskFull:
    folder = tempfile.gettempdir()
    try:
        free = f"{format_size(shutil.disk_usage(folder).free)} free"
    except OSError:
        free = "free space unknown"
    return DiskFull(f"Could not save the model of trial {number} to keep it: the disk of the "
                    f"temporary folder {folder} is full ({free}; $TMPDIR names another). Free "
                    "space there, then run the command again: the trial was recorded without "
                    "its model.")
