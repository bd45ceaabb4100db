"""``hpsearch export``: a trial as a training script a person can read and run, or the study's
best model itself (its ensemble when one beat the best trial, else that trial's)."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import optuna

import storage
from search._errors import StudyError
from search._paths import make_folder, output_file, output_folder, refuse_to_replace, write_file
from search.export._card import CardFacts, render_card
from search.export._predict_script import PREDICT_SCRIPT, predict_script
from search.export._saved_model import saved_model_folder, write_saved_model
from search.export._script import (
    card_file,
    embeddings_file,
    inputs_file,
    rows_file,
    script_files,
)
from search.study import (
    ENSEMBLE_KEY,
    REFIT_KEY,
    StudyConfig,
    TrialSummary,
    answer_record,
    ensemble_record,
    kept_model,
    load_data,
    open_study,
    pick_trial,
    summarize_trial,
)
from spaces import describe_params

log = logging.getLogger("hpsearch")


def _trial(study_name: str, storage_url: str | None, trial_number: int | None,
           ) -> tuple[optuna.Study, StudyConfig, TrialSummary]:
    """The study, its config, and its best trial (or ``trial_number``)."""
    study, config = open_study(study_name, storage_url)
    return study, config, summarize_trial(pick_trial(study, config, trial_number), config)


def trial_card(study_name: str, config: StudyConfig, trial: TrialSummary,
               command: str, answer: dict[str, Any] | None = None) -> str:
    return render_card(config, CardFacts(
        study=study_name, name=f"trial {trial.number}", description=describe_params(
            trial.params), family=trial.params["family"], metrics=trial.metrics,
        per_class=trial.per_class or {}, params=trial.params, command=command,
        answer=answer))


def export_script(study_name: str, out: str | Path, storage_url: str | None = None,
                  trial_number: int | None = None, *, force: bool = False) -> Path:
    """Write the training script of the best trial (or ``trial_number``) to ``out``, with what
    it reads beside it: ``<name>.rows.jsonl`` (the study's rows), ``<name>.inputs.keras`` (the
    trial's featurizing layers), ``<name>.card.md`` (the model card) and, when the study used
    them, the word vectors (``<name>.embeddings.npy``). Builds the layers with Keras. Any of
    these files that exists is refused unless ``force``."""
    from search.training import inputs_model_bytes  # TensorFlow

    out = output_file(out, "Script (--out)")
    refuse_to_replace([out, rows_file(out), inputs_file(out), card_file(out),
                       embeddings_file(out)], f"Exporting the script to {str(out)!r}",
                      force=force)
    study, config, trial = _trial(study_name, storage_url, trial_number)
    data = load_data(study, config)
    files = script_files(study_name, config, trial, data, out)
    write_file(out, files.script, "the script", executable=True)
    write_file(rows_file(out), files.rows, "the study's rows")
    write_file(inputs_file(out), inputs_model_bytes(data, trial.params),
               "the featurizing layers")
    write_file(card_file(out), trial_card(study_name, config, trial,
                                          f"hpsearch export --study {study_name} --out {out}"),
               "the model card")
    if files.embeddings is not None:
        buffer = io.BytesIO()
        np.save(buffer, files.embeddings)
        write_file(embeddings_file(out), buffer.getvalue(), "the word vectors")
    if trial_number is None and ensemble_record(study):
        log.info("the study's best model is an ensemble; this script trains its best single "
                 "trial (%d). `hpsearch export --model DIR` writes the ensemble.", trial.number)
    log.info("trial %d: %s", trial.number, describe_params(trial.params))
    return out


def export_model(study_name: str, out_dir: str | Path, storage_url: str | None = None,
                 trial_number: int | None = None, *, force: bool = False) -> Path:
    """Write the study's best model to ``out_dir``: its ensemble if one beat the best trial
    (unless ``trial_number`` picks a trial), else the best (or given) trial's own trained
    model, refitted on every labelled row when the study's answer was (``hpsearch run``'s end,
    ``hpsearch refit``); model.keras, labels.json, README.md, predict.py and, for TensorFlow
    Serving, saved_model/1 (builds it with TensorFlow)."""
    out = output_folder(out_dir, "Model folder (--model)")
    refuse_to_replace([*(out / name for name in ("model.keras", "labels.json", "README.md",
                                                 PREDICT_SCRIPT)), saved_model_folder(out)],
                      f"Exporting the model to {str(out)!r}", force=force)
    study, config = open_study(study_name, storage_url)
    command = f"hpsearch export --study {study_name} --model {out}"
    ensemble = ensemble_record(study) if trial_number is None else None
    if ensemble:
        found = storage.get_blob(storage.storage_of(study), study_name, ENSEMBLE_KEY)
        if found is None:
            raise StudyError(f"The ensemble of study {study_name!r} is recorded but its model "
                             f"is missing; run `hpsearch ensemble --study {study_name}` "
                             "again, or pick a trial with --trial.")
        model, thresholds = found[0], ensemble.get("thresholds")
        card = _ensemble_card(study_name, config, ensemble, command, answer_record(study))
    else:
        trial = summarize_trial(pick_trial(study, config, trial_number), config)
        kept = kept_model(study, trial.number)
        if kept is None:
            raise StudyError(
                f"The trained model of trial {trial.number} is not kept: a study keeps the "
                "models of its best completed trials only. Export its script (--out FILE) and "
                "train it, or pick a kept trial with --trial.")
        model, thresholds = kept, trial.thresholds
        answer = answer_record(study) if trial_number is None else None
        card = trial_card(study_name, config, trial, f"{command} --trial {trial.number}",
                          answer if answer and answer["model"] == "trial" else None)
    refit = _refit(study) if trial_number is None else None
    if refit is not None:
        model, card = refit[0], card + refit_note(refit[1])
    make_folder(out, "the model folder")
    write_file(out / "model.keras", model, "the model")
    write_file(out / "labels.json", json.dumps(
        {"classes": config.classes, "task": config.task.value, "thresholds": thresholds},
        indent=2), "the labels")
    write_file(out / "README.md", card, "the model card")
    write_file(out / PREDICT_SCRIPT, predict_script(), "the prediction script", executable=True)
    write_saved_model(out, config.task.value, config.classes, thresholds, config.data.label_sep)
    return out


def _refit(study: optuna.Study) -> tuple[bytes, dict[str, Any]] | None:
    """The answer refitted on every row, and its record, when the study has one for its
    current answer."""
    record = answer_record(study)
    if not record or not record.get("refit"):
        return None
    found = storage.get_blob(storage.storage_of(study), study.study_name, REFIT_KEY)
    return None if found is None else (found[0], record)


def refit_note(record: dict[str, Any]) -> str:
    """What the card adds about the model written: trained again on every row."""
    refit, estimate = record["refit"], record.get("estimate")
    said = (f"\n## The model in this folder\n\nTrained again on every labelled row "
            f"({refit['rows']}) with the settings the search found; the trials were trained on "
            f"{refit['train_rows']}. The metrics above are those of the model trained on the "
            "training rows, as the search chose it.")
    if estimate:
        said += (f" Its honest estimate, on {record['held_rows']} validation rows held out of "
                 f"every choice: {record['metric']} {estimate['value']:.4f} (90% interval "
                 f"{estimate['low']:.4f} to {estimate['high']:.4f}); the model here saw those "
                 "rows too, and is expected to score at least as well on new ones.")
    return said + "\n"


def _ensemble_card(study_name: str, config: StudyConfig, ensemble: dict[str, Any],
                   command: str, answer: dict[str, Any] | None) -> str:
    members = ", ".join(f"{m['trial']} ({m['weight']:.2f})" for m in ensemble["members"])
    return render_card(config, CardFacts(
        study=study_name, name=f"ensemble of trials {members}",
        description=("The members' probabilities averaged with their weights (greedy ensemble "
                     "selection on the validation split)."), family="ensemble",
        metrics=ensemble["metrics"], per_class=ensemble.get("per_class") or {},
        params={"members": ensemble["members"]}, command=command,
        answer=answer if answer and answer["model"] == "ensemble" else None))
