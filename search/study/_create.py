"""``hpsearch create``: check the data, vectorize the split once, record everything in a study."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import optuna

import storage
from search._errors import DataError, StudyError
from search.data._checks import check_data
from search.data._embeddings import load_embedding_matrix
from search.data._labels import encode_labels
from search.data._prepared import CACHE_KEY, Prepared
from search.data._split import split_indices
from search.data._table import detect_task, fingerprint, load_table
from search.data._vectorize_split import vectorize_split
from search.study._config import CONFIG_ATTR, PrunerName, SamplerName, StudyConfig, check_metric
from search.study._open import read_config
from spaces import Task, check_space_for_task, load_space, starting_points

log = logging.getLogger("hpsearch")


def create_study(
    study_name: str,
    data: str | Path,
    *,
    storage_url: str | None = None,
    text_col: str = "text",
    label_col: str = "label",
    label_sep: str = "|",
    task: Task | None = None,
    val_frac: float = 0.2,
    val_data: str | Path | None = None,
    seed: int = 0,
    space: str | Path | None = None,
    embeddings: str | Path | None = None,
    metric: str = "val_loss",
    pruner: PrunerName = PrunerName.MEDIAN,
    sampler: SamplerName = SamplerName.TPE,
    max_epochs: int = 20,
    patience: int = 4,
    max_tokens: int = 20_000,
    max_len: int | None = None,
    n_trials: int | None = None,
    timeout: float | None = None,
    drop_invalid: bool = False,
    resume: bool = True,
    start_points: bool = True,
) -> StudyConfig:
    """Create the study ``study_name`` for ``data`` and return its config.

    If the study exists with the same data and split options it is reused (``resume``);
    with other data it is refused, so two datasets never mix in one study. With
    ``start_points``, the first trials are known-good configurations moved into the space.
    """
    if not 0.0 < val_frac < 1.0:
        raise DataError(f"--val-frac must be between 0 and 1, but got {val_frac}.")
    if max_epochs < 1:
        raise DataError(f"--max-epochs must be at least 1, but got {max_epochs}.")
    url = storage.resolve_storage_url(storage_url)
    rdb = storage.open_storage(url, heartbeat_interval=None)
    data_path = Path(data)
    if not data_path.is_file():
        raise DataError(f"Data file {str(data_path)!r} does not exist.")
    options: dict[str, Any] = {
        "text_col": text_col, "label_col": label_col, "label_sep": label_sep,
        "task": task.value if task else None, "val_frac": val_frac, "seed": seed,
        "max_tokens": max_tokens, "max_len": max_len, "drop_invalid": drop_invalid,
        "embeddings": str(embeddings) if embeddings else None,
    }
    if val_data is not None:
        options["val_data"] = fingerprint(val_data, {}) if Path(val_data).is_file() else None
    data_fp = fingerprint(data_path, options)

    existing = read_config(rdb, study_name)
    if existing is not None:
        if existing.data_fingerprint != data_fp:
            raise StudyError(
                f"Study {study_name!r} already exists in {storage.mask_url(url)} with different "
                f"data or split options (it was created from {existing.data_path!r}). Trials "
                "of two datasets must not mix: choose a new --study name."
            )
        if not resume:
            raise StudyError(f"Study {study_name!r} already exists; `hpsearch worker --study "
                             f"{study_name}` adds trials to it.")
        log.info("study %r exists with the same data: resuming it", study_name)
        return existing

    search_space = load_space(space)
    table = load_table(data_path, text_col=text_col, label_col=label_col, label_sep=label_sep,
                       task=task, drop_invalid=drop_invalid)
    if table.dropped:
        log.warning("dropped %d invalid row(s) (--drop-invalid)", table.dropped)
    if val_data is not None:
        val_table = load_table(val_data, text_col=text_col, label_col=label_col,
                               label_sep=label_sep, task=task, drop_invalid=drop_invalid)
        texts = table.texts + val_table.texts
        labels = table.labels + val_table.labels
        train = np.arange(len(table.texts))
        val = np.arange(len(table.texts), len(texts))
    else:
        texts, labels = table.texts, table.labels
    combined = type(table)(texts=texts, labels=labels, rows=np.arange(len(texts)),
                           path=str(data_path))
    found_task, classes = detect_task(combined, task)
    check_space_for_task(search_space, found_task)
    metric_direction = check_metric(metric, found_task)
    y = encode_labels(labels, found_task.value, classes)
    if found_task is Task.BINARY:
        y = y.astype("float32")
    if val_data is None:
        train, val = split_indices(y, found_task.value, val_frac, seed)
    if len(val) == 0:
        raise DataError(f"The validation split is empty ({len(texts)} rows, --val-frac "
                        f"{val_frac}). Add rows or raise --val-frac.")
    log.info("%s task, %d classes, %d training and %d validation rows",
             found_task.value, len(classes), len(train), len(val))

    vectorized = vectorize_split(texts, y, train, val, max_tokens=max_tokens, max_len=max_len,
                                 embeddings=embeddings, seed=seed)
    prepared, lengths = vectorized.prepared, vectorized.lengths
    seq_len, embedding_info = prepared.vectorizer.max_len, vectorized.embeddings

    report = check_data(found_task, classes, texts, labels, train, val, lengths, seq_len)
    for warning in report["warnings"]:
        log.warning("data check: %s", warning)

    from search.data._baselines import (  # scikit-learn: slow import
        majority_baseline,
        tfidf_baseline,
    )

    log.info("computing baselines (majority class, TF-IDF + logistic regression)")
    baselines = {
        "majority": majority_baseline(found_task, y[train], y[val], classes),
        "tfidf_logreg": tfidf_baseline(found_task, [texts[i] for i in train], y[train],
                                       [texts[i] for i in val], y[val], classes, seed),
    }
    cache_sha = storage.put_blob(url, study_name, CACHE_KEY, prepared.to_bytes())
    config = StudyConfig(
        task=found_task, classes=classes, metric=metric, data_path=str(data_path),
        data_fingerprint=data_fp, cache_sha256=cache_sha, space=search_space.to_dict(),
        max_len=seq_len, vocab_size=prepared.vectorizer.word_vocab_size, text_col=text_col,
        label_col=label_col, label_sep=label_sep, val_frac=val_frac,
        val_data_path=str(val_data) if val_data else None, seed=seed, pruner=pruner,
        sampler=sampler, max_epochs=max_epochs, patience=patience, n_trials=n_trials,
        timeout=timeout, embeddings=embedding_info, baselines=baselines, data_report=report,
        created_at=time.time(),
    )
    try:
        study = optuna.create_study(study_name=study_name, storage=rdb,
                                    direction=metric_direction)  # type: ignore[arg-type]
    except optuna.exceptions.DuplicatedStudyError:
        raise StudyError(f"Study {study_name!r} was created by another process meanwhile; "
                         "run the command again to resume it.") from None
    study.set_user_attr(CONFIG_ATTR, config.to_dict())
    study.set_metric_names([metric])
    if start_points:
        for point in starting_points(search_space, found_task,
                                     pretrained_embeddings=embeddings is not None):
            study.enqueue_trial(point, user_attrs={"starting_point": True})
    log.info("created study %r in %s", study_name, storage.mask_url(url))
    return config
