"""What a study keeps of its best trials (their trained models and validation probabilities,
as artifacts of the trials in its own database) and of its ensemble (a model and a record)."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import optuna

import storage

MODEL_FILE = "model.keras"
PROBS_FILE = "validation_probabilities.npy"
HELD_FILE = "held_probabilities.npy"  # of the validation rows held out of every choice
REFIT_KEY = "answer:model.keras"  # the answer trained again on every labelled row, a blob
ENSEMBLE_KEY = "ensemble:model.keras"  # the ensemble's model, a blob of the study
ENSEMBLE_ATTR = "hpsearch_ensemble"  # its members, weights and validation metrics
# The study's answer: which model, its honest estimate on the held rows, and its refit.
ANSWER_ATTR = "hpsearch_answer"


def probs_bytes(probs: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(probs, dtype="float32"), allow_pickle=False)
    return buffer.getvalue()


def kept_model(study: optuna.Study, number: int) -> bytes | None:
    """Trial ``number``'s trained model (a ``.keras`` file's bytes), if the study kept it."""
    return storage.trial_file(study, number, MODEL_FILE)


def kept_probabilities(study: optuna.Study, name: str = PROBS_FILE) -> dict[int, np.ndarray]:
    """The validation probabilities (or, with ``HELD_FILE``, the held rows') of every trial
    the study kept them for, by number."""
    found = {}
    for number in storage.trials_with_file(study, name):
        data = storage.trial_file(study, number, name)
        if data is not None:
            found[number] = np.load(io.BytesIO(data), allow_pickle=False)
    return found


def ensemble_record(study: optuna.Study) -> dict[str, Any] | None:
    """The study's ensemble (members, weights, metrics) while it beats the study's best trial;
    None once a trial finished since beats it (workers elsewhere go on after an ensemble)."""
    record = study.user_attrs.get(ENSEMBLE_ATTR)
    if not record:
        return None
    try:
        best = study.best_value
    except ValueError:  # no completed trial: nothing to beat
        return record
    maximize = study.direction is optuna.study.StudyDirection.MAXIMIZE
    return record if (record["value"] > best if maximize else record["value"] < best) else None


def answer_record(study: optuna.Study) -> dict[str, Any] | None:
    """The study's answer as its last run, ``refit`` or ``ensemble`` settled it: the model
    (``"trial"`` or ``"ensemble"``), its estimate on the held rows with an interval, and
    whether it was refitted on every row; None when not settled, or when a trial finished
    since beats it on validation (the answer is out of date)."""
    record = study.user_attrs.get(ANSWER_ATTR)
    if not record:
        return None
    try:
        best = study.best_trial.number
    except ValueError:
        return None
    return record if record.get("best_trial") == best else None
