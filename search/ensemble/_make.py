"""An ensemble of a study's kept trials, selected on their validation probabilities, recorded
as a result of the study when it beats the best single trial on the held rows by more than
their noise, with its model (one Keras model: raw strings in, the members' probabilities
averaged) kept beside it."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import optuna

import storage
from search._errors import StudyError
from search.ensemble._select import select
from search.metrics import RECORDED, Detail, Direction, evaluate

if TYPE_CHECKING:
    from search.metrics import Interval
from search.study import (
    ENSEMBLE_ATTR,
    ENSEMBLE_KEY,
    HELD_FILE,
    StudyConfig,
    best_of,
    kept_model,
    kept_probabilities,
    load_data,
    open_study,
    packed_model,
)
from spaces import params_of

log = logging.getLogger("hpsearch")
# Seconds building the model takes at most per member, and once (loading TensorFlow, timing
# its predictions against the best trial's).
BUILD_S_PER_MEMBER, BUILD_S = 4.0, 9.0
# The held rows a prediction-time ratio is measured on: a ratio needs no more, and all
# 20,000 of a 300,000-row study's took 82 s a model (2,000: 10 s), past `run`'s deadline.
PREDICT_PROBE_ROWS = 2_000


@dataclass(frozen=True)
class EnsembleOutcome:
    """What ``make_ensemble`` found: the record it kept (None when no ensemble beat the best
    trial, or there was no time to build it) and why, in one sentence."""

    record: dict[str, Any] | None
    said: str


def make_ensemble(study_name: str, storage_url: str | None = None, *,
                  deadline: float | None = None) -> EnsembleOutcome:
    """Select an ensemble of the study's kept trials on the validation rows they were chosen
    on; keep it only if it beats the best trial on the held rows by more than their noise
    (``search.metrics.paired_gain``: the low end of the gain's interval above 0).
    ``deadline`` (``time.monotonic()``): leave it out when building would pass it."""
    study, config = open_study(study_name, storage_url)
    best = best_of(study.get_trials(deepcopy=False), config.direction)
    probs = kept_probabilities(study)
    if best is None or best.value is None or len(probs) < 2:
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
    record = _record(study, config, selection.weights, probs, data.y_val, best)
    gain = _held_gain(study, config, record, best, data)
    if gain is None or gain.low <= 0:
        _forget(study)
        said = ("its members' held rows were not kept" if gain is None else
                f"on the held rows it gains {gain.value:+.4f} {metric} over trial "
                f"{best.number} (interval {gain.low:+.4f} to {gain.high:+.4f}): within "
                "the noise")
        return EnsembleOutcome(None, f"no ensemble: {said}")
    if deadline is not None and time.monotonic() + BUILD_S + BUILD_S_PER_MEMBER * len(
            selection.weights) > deadline:
        _forget(study)
        return EnsembleOutcome(None, "no ensemble: no time left to build it within the budget "
                                     f"(`hpsearch ensemble --study {study_name}` does)")
    record["held_gain"] = gain.to_dict()
    record["size_ratio"] = _size_ratio(study, record, best.number)
    built = _keep(study, config, selection.weights, data)
    record["predict_ratio"] = _predict_ratio(built, kept_model(study, best.number), data)
    study.set_user_attr(ENSEMBLE_ATTR, record)
    return EnsembleOutcome(record, f"ensemble of trials {_members(record)}: {metric} "
                                   f"{gain.value:+.4f} over trial {best.number} alone on the "
                                   f"held rows (interval {gain.low:+.4f} to {gain.high:+.4f}), "
                                   f"{record['size_ratio']:.1f}x its size"
                                   + ("" if record["predict_ratio"] is None else
                                      f", {record['predict_ratio']:.1f}x its prediction time"))


def ensemble_held_probs(record: dict[str, Any], held: dict[int, np.ndarray],
                        ) -> np.ndarray | None:
    """The ensemble's probabilities of the held rows (its members' ``held`` probabilities
    averaged), or None when a member's were not kept."""
    if any(m["trial"] not in held for m in record["members"]):
        return None
    return sum(m["weight"] * held[m["trial"]] for m in record["members"])


def _held_gain(study: optuna.Study, config: StudyConfig, record: dict[str, Any],
               best: optuna.trial.FrozenTrial, data: Any) -> Interval | None:
    from search.metrics import paired_gain

    held = kept_probabilities(study, HELD_FILE)
    averaged, best_held = ensemble_held_probs(record, held), held.get(best.number)
    if averaged is None or best_held is None or data.y_held is None:
        return None
    return paired_gain(config.task.value, data.y_held, averaged, record.get(
        Detail.THRESHOLDS.value), best_held, best.user_attrs.get(Detail.THRESHOLDS),
        config.classes, config.metric, seed=config.data.seed)


def _predict_ratio(ensemble: bytes, best: bytes | None, data: Any) -> float | None:
    """The ensemble's seconds to predict the first held rows over the best trial's model's."""
    from search.training import predict_seconds  # TensorFlow

    if best is None or not data.held_texts:
        return None
    texts = data.held_texts[:PREDICT_PROBE_ROWS]
    return predict_seconds(ensemble, texts) / max(predict_seconds(best, texts), 1e-6)


def _size_ratio(study: optuna.Study, record: dict[str, Any], best: int) -> float:
    """The members' kept models' bytes over the best trial's: what the ensemble costs to keep
    and, near enough, to run."""
    def size(number: int) -> int:
        model = kept_model(study, number)
        return 0 if model is None else len(model)

    return sum(size(m["trial"]) for m in record["members"]) / max(size(best), 1)


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
          data: Any) -> bytes:
    """Build the ensemble's model, keep it, and return its bytes."""
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
    storage.put_blob(storage.storage_of(study), study.study_name, ENSEMBLE_KEY,
                     packed_model(built))
    return built


def _forget(study: optuna.Study) -> None:
    """Drop an ensemble kept earlier (its members may have changed since)."""
    rdb = storage.storage_of(study)
    if storage.get_blob(rdb, study.study_name, ENSEMBLE_KEY) is not None:
        storage.delete_blob(rdb, study.study_name, ENSEMBLE_KEY)
    if ENSEMBLE_ATTR in study.user_attrs:
        study.set_user_attr(ENSEMBLE_ATTR, None)
