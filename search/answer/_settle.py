"""Settling a study's answer: the ensemble if one beat the best trial on the held rows, else the
best trial; its estimate on the held rows with a bootstrap interval; then the answer trained
again on every labelled row when there is time for it."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import optuna

import storage
from search._errors import StudyError
from search.answer._cost import refit_memory_problem, refit_seconds, refit_too_big
from search.ensemble import ensemble_held_probs, make_ensemble
from search.metrics import RECORDED, Detail, TrialAttr, evaluate, held_interval
from search.study import (
    ANSWER_ATTR,
    HELD_FILE,
    MODEL_FILE,
    REFIT_KEY,
    StudyConfig,
    best_of,
    ensemble_record,
    kept_probabilities,
    load_data,
    open_study,
    packed_model,
)
from search.training import over_fit_bytes
from spaces import params_of
from spaces.features import StudyData

log = logging.getLogger("hpsearch")


@dataclass
class AnswerOutcome:
    """The answer's record (``search.study.ANSWER_ATTR``) and what was said on the way."""

    record: dict[str, Any]
    said: list[str] = field(default_factory=list)


def settle_answer(study_name: str, storage_url: str | None = None, *,
                  deadline: float | None = None, ensemble: bool = True,
                  refit: bool = True, prepared: Any = None) -> AnswerOutcome:
    """Settle the study's answer (see the module's docstring); ``deadline``
    (``time.monotonic()``) bounds the ensemble and the refit, each left out when it would
    pass it. ``prepared``: TensorFlow's trainer's encoded data of this study, when this
    process has it (``hpsearch run``'s worker), else it is encoded again."""
    url = storage.resolve_storage_url(storage_url)
    said = []
    if ensemble:
        said.append(make_ensemble(study_name, url, deadline=deadline).said)
    study, config = open_study(study_name, url)
    best = best_of(study.get_trials(deepcopy=False), config.direction)
    if best is None:
        raise StudyError(f"Study {study_name!r} has no finished trial: there is no answer to "
                         "settle. Run `hpsearch worker` first.")
    data = load_data(study, config)
    alone = refit and _refit_beats_ensemble(study, best, data, deadline)
    if alone:
        said.append(alone)
    record = _estimate(study, config, best, data, ensemble=not alone)
    _drop_refit(study)
    if refit:
        said.append(_refit(study, config, record, data, deadline, prepared))
    study.set_user_attr(ANSWER_ATTR, record)
    said.append(describe_estimate(record, config))
    return AnswerOutcome(record, said)


def describe_estimate(record: dict[str, Any], config: StudyConfig) -> str:
    estimate = record.get("estimate")
    if estimate is None:
        return "no honest estimate: the answer's probabilities of the held rows were not kept"
    return (f"honest estimate of the answer: {config.metric} {estimate['value']:.4f} (90% "
            f"interval {estimate['low']:.4f} to {estimate['high']:.4f}) on "
            f"{record['held_rows']} held rows no choice has seen")


def _refit_beats_ensemble(study: optuna.Study, best: optuna.trial.FrozenTrial,
                          data: StudyData, deadline: float | None) -> str | None:
    """Why the best trial is the answer rather than the study's ensemble, when the trial can be
    refitted on every row and the ensemble cannot: a member's refit would hold more than a fit
    may, or would pass ``deadline`` where the trial's would not. Refitting was worth 1.2 to 1.9
    points on real sets, more than an ensemble's usual gain."""
    found = ensemble_record(study)
    alone = [{"trial": best.number}]
    if found is None or refit_memory_problem(study, alone, data):
        return None
    left = float("inf") if deadline is None else deadline - time.monotonic()
    alone_s = refit_seconds(study, alone, data)
    if alone_s > left:
        return None
    big = refit_too_big(study, list(found["members"]), data)
    if big:
        return (f"the answer is trial {best.number}, not the ensemble: refitting member trial "
                f"{big[0]} on every row would hold {over_fit_bytes(big[1])}; the trial's refit "
                "fits")
    together = refit_seconds(study, list(found["members"]), data)
    if together <= left:
        return None
    return (f"the answer is trial {best.number}, not the ensemble: refitting the ensemble on "
            f"every row needs about {together:.0f}s, the trial {alone_s:.0f}s, {left:.0f}s are "
            f"left (`hpsearch refit --study {study.study_name}` refits the ensemble later)")


def _members(study: optuna.Study, best: optuna.trial.FrozenTrial, ensemble: bool = True,
             ) -> tuple[str, list[dict[str, Any]], dict[str, Any] | None]:
    found = ensemble_record(study) if ensemble else None
    if found:
        return "ensemble", list(found["members"]), found
    return "trial", [{"trial": best.number, "weight": 1.0}], None


def _estimate(study: optuna.Study, config: StudyConfig, best: optuna.trial.FrozenTrial,
              data: StudyData, ensemble: bool = True) -> dict[str, Any]:
    """The answer's record: which model (the study's ensemble if any, unless not
    ``ensemble``), and its scores on the held rows."""
    kind, members, ensemble_found = _members(study, best, ensemble)
    kept = kept_probabilities(study, HELD_FILE)
    if ensemble_found is not None:
        held = ensemble_held_probs(ensemble_found, kept)
        thresholds = ensemble_found.get(Detail.THRESHOLDS.value)
        validation = ensemble_found["value"]
    else:
        held = kept.get(best.number)
        thresholds = best.user_attrs.get(Detail.THRESHOLDS)
        validation = best.value
    record: dict[str, Any] = {
        "model": kind, "members": members, "best_trial": best.number,
        "metric": config.metric.value, "validation": validation,
        "held_rows": 0 if data.y_held is None else len(data.y_held),
        "estimate": None, "held_metrics": None, "refit": None, "settled_at": time.time()}
    if held is None or data.y_held is None or not len(data.y_held):
        return record
    task = config.task.value
    found = evaluate(task, data.y_held, held, config.classes, thresholds=thresholds, tune=False)
    record["held_metrics"] = {m.value: float(found[m]) for m in RECORDED[config.task]
                              if m in found}
    record["estimate"] = held_interval(task, data.y_held, np.asarray(held), config.classes,
                                       config.metric, thresholds,
                                       seed=config.data.seed).to_dict()
    return record


def _drop_refit(study: optuna.Study) -> None:
    rdb = storage.storage_of(study)
    if storage.get_blob(rdb, study.study_name, REFIT_KEY) is not None:
        storage.delete_blob(rdb, study.study_name, REFIT_KEY)


def _refit(study: optuna.Study, config: StudyConfig, record: dict[str, Any],
           data: StudyData, deadline: float | None, prepared: Any) -> str:
    """Train the answer again on every labelled row and keep it (``REFIT_KEY``); what was
    done, in one sentence."""
    members = record["members"]
    if not {m["trial"] for m in members} <= set(storage.trials_with_file(study, MODEL_FILE)):
        return "not refitted: the answer's model is not kept (a scripted trainer keeps none)"
    too_big = refit_memory_problem(study, members, data)
    if too_big:
        return too_big
    needs = refit_seconds(study, members, data)
    if deadline is not None and time.monotonic() + needs > deadline:
        left = deadline - time.monotonic()
        return (f"not refitted on every row: it needs about {needs:.0f}s, {max(left, 0):.0f}s "
                f"were left (`hpsearch refit --study {study.study_name}` does it)")
    started = time.monotonic()
    model = refit_members(study, config, members, data, prepared)
    storage.put_blob(storage.storage_of(study), study.study_name, REFIT_KEY,
                     packed_model(model))
    trials = {t.number: t for t in study.get_trials(deepcopy=False)}
    seen = max(int(trials[m["trial"]].user_attrs.get(TrialAttr.ROWS) or len(data.train_texts))
               for m in members)
    record["refit"] = {"rows": data.n_rows, "train_rows": seen,
                       "seconds": round(time.monotonic() - started, 1)}
    return (f"refitted the answer on every labelled row ({data.n_rows}, the trials saw "
            f"{seen}) in {record['refit']['seconds']:.0f}s")


def refit_members(study: optuna.Study, config: StudyConfig, members: list[dict[str, Any]],
                  data: StudyData, prepared: Any = None) -> bytes:
    """The answer's model trained on every row: one member's, or the ensemble of the members
    each refitted (as a ``.keras`` file's bytes)."""
    from search.training import FitSettings, ensemble_model, tensorflow_trainer

    trainer: Any = tensorflow_trainer()
    trainer.configure_devices()
    if prepared is None or not hasattr(prepared, "all_inputs"):  # not TensorFlow's
        prepared = trainer.prepare(data)
    trials = {t.number: t for t in study.get_trials(deepcopy=False)}
    built = []
    for member in members:
        trial = trials[member["trial"]]
        params = params_of(trial.params, config.parsed_space(), config.task,
                           pretrained_embeddings=config.embeddings is not None)
        settings = FitSettings(task=config.task, classes=config.classes, metric=config.metric,
                               max_epochs=config.search.max_epochs,
                               patience=config.search.patience,
                               seed=config.data.seed + trial.number)
        model = trainer.refit_model(params, prepared, settings,
                                    epochs=int(trial.user_attrs.get(TrialAttr.BEST_EPOCH, 1)),
                                    logit_scale=trial.user_attrs.get(TrialAttr.LOGIT_SCALE))
        trainer.release()
        built.append((params, model, float(member["weight"])))
    if len(built) == 1:
        return built[0][1]
    return ensemble_model(built, data, config.task, len(config.classes))
