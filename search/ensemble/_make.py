"""An ensemble of a study's kept trials, selected on their validation probabilities, recorded
as a result of the study when it beats the best single trial on the objective, with its model
(one Keras model: raw strings in, the members' probabilities averaged) kept beside it."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import optuna

import storage
from search._errors import StudyError
from search.ensemble._select import select
from search.metrics import RECORDED, Detail, Direction, evaluate
from search.study import (
    ENSEMBLE_ATTR,
    ENSEMBLE_KEY,
    StudyConfig,
    best_of,
    kept_model,
    kept_probabilities,
    load_data,
    open_study,
)
from spaces import params_of

log = logging.getLogger("hpsearch")
# Seconds building the model takes at most per member, and once (loading TensorFlow...).
BUILD_S_PER_MEMBER, BUILD_S = 4.0, 6.0


@dataclass(frozen=True)
class EnsembleOutcome:
    """What ``make_ensemble`` found: the record it kept (None when no ensemble beat the best
    trial, or there was no time to build it) and why, in one sentence."""

    record: dict[str, Any] | None
    said: str


def make_ensemble(study_name: str, storage_url: str | None = None, *,
                  deadline: float | None = None) -> EnsembleOutcome:
    """Select an ensemble of the study's kept trials; keep it if it beats the best trial.
    ``deadline`` (``time.monotonic()``): leave it out when building would pass it."""
    study, config = open_study(study_name, storage_url)
    best = best_of(study.get_trials(deepcopy=False), config.direction)
    probs = kept_probabilities(study)
    if best is None or best.value is None or len(probs) < 2:
        _forget(study)
        return EnsembleOutcome(None, "no ensemble: fewer than two trials kept their "
                                     "validation probabilities")
    data = load_data(study, config)
    task, metric = config.task.value, config.metric
    maximize = config.direction is Direction.MAXIMIZE

    def score(averaged: np.ndarray) -> float:
        return float(evaluate(task, data.y_val, averaged, config.classes)[metric])

    building = BUILD_S + BUILD_S_PER_MEMBER * len(probs)
    selection = select(probs, score, maximize,
                       stop_at=None if deadline is None else deadline - building)
    better = selection.score > best.value if maximize else selection.score < best.value
    if len(selection.weights) < 2 or not better:
        _forget(study)
        return EnsembleOutcome(None, f"no ensemble: none beat trial {best.number} "
                                     f"({metric} {best.value:.4f}) on validation")
    if deadline is not None and time.monotonic() + BUILD_S + BUILD_S_PER_MEMBER * len(
            selection.weights) > deadline:
        _forget(study)
        return EnsembleOutcome(None, "no ensemble: no time left to build it within the budget "
                                     f"(`hpsearch ensemble --study {study_name}` does)")
    record = _record(study, config, selection.weights, probs, data.y_val, best)
    _keep(study, config, selection.weights, data)
    study.set_user_attr(ENSEMBLE_ATTR, record)
    return EnsembleOutcome(record, f"ensemble of trials {_members(record)}: {metric} "
                                   f"{record['value']:.4f} vs {best.value:.4f} for trial "
                                   f"{best.number} alone (validation)")


def _members(record: dict[str, Any]) -> str:
    return ", ".join(f"{m['trial']} ({m['weight']:.2f})" for m in record["members"])


def _record(study: optuna.Study, config: StudyConfig, weights: dict[int, float],
            probs: dict[int, np.ndarray], y_val: np.ndarray,
            best: optuna.trial.FrozenTrial) -> dict[str, Any]:
    averaged = sum(w * probs[n] for n, w in weights.items())
    found = evaluate(config.task.value, y_val, averaged, config.classes)
    metrics = {m.value: round(float(found[m]), 6) for m in RECORDED[config.task] if m in found}
    return {"members": [{"trial": n, "weight": w} for n, w in sorted(weights.items())],
            "value": float(found[config.metric]), "metrics": metrics,
            Detail.THRESHOLDS.value: found.get(Detail.THRESHOLDS),
            Detail.PER_CLASS.value: found.get(Detail.PER_CLASS),
            "best_trial": best.number, "created_at": time.time()}


def _keep(study: optuna.Study, config: StudyConfig, weights: dict[int, float],
          data: Any) -> None:
    from search.training import ensemble_model  # TensorFlow

    trials = {t.number: t for t in study.get_trials(deepcopy=False)}
    members = []
    for number, weight in sorted(weights.items()):
        model = kept_model(study, number)
        if model is None:
            raise StudyError(f"Trial {number} kept its validation probabilities but not its "
                             "model (another worker dropped it meanwhile); run `hpsearch "
                             f"ensemble --study {study.study_name}` again.")
        params = params_of(trials[number].params, config.parsed_space(), config.task,
                           pretrained_embeddings=config.embeddings is not None)
        members.append((params, model, weight))
    built = ensemble_model(members, data, config.task, len(config.classes))
    _forget(study)
    storage.put_blob(storage.storage_of(study), study.study_name, ENSEMBLE_KEY, built)


def _forget(study: optuna.Study) -> None:
    """Drop an ensemble kept earlier (its members may have changed since)."""
    rdb = storage.storage_of(study)
    if storage.get_blob(rdb, study.study_name, ENSEMBLE_KEY) is not None:
        storage.delete_blob(rdb, study.study_name, ENSEMBLE_KEY)
    if ENSEMBLE_ATTR in study.user_attrs:
        study.set_user_attr(ENSEMBLE_ATTR, None)
