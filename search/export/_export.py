"""``hpsearch export``: a trial as a training script a person can read and run, or as the
trained model itself."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import numpy as np
import optuna

import storage
from search._errors import StudyError
from search._paths import make_folder, output_file, output_folder, write_file
from search.export._card import render_card
from search.export._script import (
    card_info,
    embeddings_file,
    headline_metrics,
    record_file,
    script_files,
)
from search.study import (
    StudyConfig,
    TrialSummary,
    load_prepared,
    model_key,
    open_study,
    pick_trial,
    summarize_trial,
)

log = logging.getLogger("hpsearch")


def _trial(study_name: str, storage_url: str | None, trial_number: int | None,
           ) -> tuple[optuna.Study, StudyConfig, TrialSummary]:
    """The study, its config, and its best trial (or ``trial_number``)."""
    study, config = open_study(study_name, storage.resolve_storage_url(storage_url))
    return study, config, summarize_trial(pick_trial(study, config, trial_number), config)


def export_script(study_name: str, out: str | Path, storage_url: str | None = None,
                  trial_number: int | None = None) -> Path:
    """Write the training script of the best trial (or ``trial_number``) to ``out``, with
    what it reads beside it: ``<name>.study.json`` (the study's vocabularies and the facts of
    the model card) and, when the study used them, the word vectors (``<name>.embeddings.npy``)."""
    out = output_file(out, "Script (--out)")
    study, config, trial = _trial(study_name, storage_url, trial_number)
    files = script_files(study_name, config, trial, load_prepared(study, config), out)
    write_file(out, files.script, "the script", executable=True)
    write_file(record_file(out), json.dumps(files.record, ensure_ascii=False), "the vocabularies")
    if files.embeddings is not None:
        buffer = io.BytesIO()
        np.save(buffer, files.embeddings)
        write_file(embeddings_file(out), buffer.getvalue(), "the word vectors")
    log.info("trial %d: %s", trial.number, trial.params.get("family"))
    return out


def export_model(study_name: str, out_dir: str | Path, storage_url: str | None = None,
                 trial_number: int | None = None) -> Path:
    """Write the best trial's (or ``trial_number``'s) own trained model to ``out_dir``:
    model.keras, labels.json and README.md, as the exported script writes them."""
    out = output_folder(out_dir, "Model folder (--model)")
    study, config, trial = _trial(study_name, storage_url, trial_number)
    found = storage.get_blob(storage.storage_of(study), study_name, model_key(trial.number))
    if found is None:
        raise StudyError(
            f"The trained model of trial {trial.number} is not kept: a study keeps the models "
            "of its best completed trials only. Export its script (--out FILE) and train it, "
            "or pick a kept trial with --trial.")
    make_folder(out, "the model folder")
    write_file(out / "model.keras", found[0], "the model")
    write_file(out / "labels.json", json.dumps(
        {"classes": config.classes, "task": config.task.value,
         "thresholds": trial.thresholds}, indent=2), "the labels")
    write_file(out / "README.md", render_card(
        card_info(study_name, config, trial), headline_metrics(config, trial),
        f"hpsearch export --study {study_name} --model {out} --trial {trial.number}"),
        "the model card")
    return out

