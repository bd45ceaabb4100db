"""``hpsearch export``: a trial as a training script a person can read and run, or as the
trained model itself."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

import storage
from search._errors import StudyError
from search.export._card import render_card
from search.export._script import (
    card_info,
    embeddings_file,
    headline_metrics,
    record_file,
    script_files,
)
from search.study import load_prepared, model_key, open_study, pick_trial, summarize_trial

log = logging.getLogger("hpsearch")


def export_script(study_name: str, out: str | Path, storage_url: str | None = None,
                  trial_number: int | None = None) -> Path:
    """Write the training script of the best trial (or ``trial_number``) to ``out``, with
    what it reads beside it: ``<name>.study.json`` (the study's vocabularies and the facts of
    the model card) and, when the study used them, the word vectors (``<name>.embeddings.npy``)."""
    out = Path(out)
    if out.is_dir():
        raise StudyError(f"--out {str(out)!r} is a directory; name the script file, e.g. "
                         f"{str(out / 'train_best.py')!r}.")
    url = storage.resolve_storage_url(storage_url)
    study, config = open_study(study_name, url)
    trial = summarize_trial(pick_trial(study, config, trial_number), config)
    files = script_files(study_name, config, trial, load_prepared(url, study_name, config), out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        record_file(out).write_text(json.dumps(files.record, ensure_ascii=False),
                                    encoding="utf-8")
        if files.embeddings is not None:
            np.save(embeddings_file(out), files.embeddings)
        out.write_text(files.script, encoding="utf-8")
    except OSError as exc:
        raise StudyError(f"Cannot write the script to {str(out)!r}: {exc.strerror}. Choose "
                         "a writable path with --out.") from None
    out.chmod(0o755)
    log.info("trial %d: %s", trial.number, trial.params.get("family"))
    return out


def export_model(study_name: str, out_dir: str | Path, storage_url: str | None = None,
                 trial_number: int | None = None) -> Path:
    """Write the best trial's (or ``trial_number``'s) own trained model to ``out_dir``:
    model.keras, labels.json and README.md, as the exported script writes them."""
    url = storage.resolve_storage_url(storage_url)
    study, config = open_study(study_name, url)
    trial = summarize_trial(pick_trial(study, config, trial_number), config)
    found = storage.get_blob(url, study_name, model_key(trial.number))
    if found is None:
        raise StudyError(
            f"The trained model of trial {trial.number} is not kept: a study keeps the models "
            "of its best completed trials only. Export its script (--out FILE) and train it, "
            "or pick a kept trial with --trial.")
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / "model.keras").write_bytes(found[0])
        (out / "labels.json").write_text(json.dumps(
            {"classes": config.classes, "task": config.task.value,
             "thresholds": trial.thresholds}, indent=2))
        (out / "README.md").write_text(render_card(
            card_info(study_name, config, trial), headline_metrics(config, trial),
            f"hpsearch export --study {study_name} --model {out} --trial {trial.number}"))
    except OSError as exc:
        raise StudyError(f"Cannot write the model to {str(out)!r}: {exc.strerror}. Choose a "
                         "writable folder with --model.") from None
    return out
