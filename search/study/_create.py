"""``hpsearch create``: check the data, vectorize the split once, record everything in a study.

``create_study`` is a pipeline of named steps: check the options, find the data file, load the
space, resume a study of the same data and settings, read and split the table, check the space
and the metric against the task, vectorize, check the data, score the baselines, create the
study with its config, store the vectorized split under its id, and queue the starting points.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import optuna

import storage
from search._errors import DataError, StudyError
from search.data import (
    CACHE_KEY,
    LabelledSplit,
    Vectorized,
    check_data,
    data_fingerprint,
    load_split,
    vectorize_split,
)
from search.metrics import TrialAttr, check_metric
from search.options import BudgetOptions, DataOptions, SearchOptions, refuse_unknown
from search.study._config import CONFIG_ATTR, StudyConfig
from search.study._open import read_config
from search.study._resume import refuse_other_data, refuse_other_settings
from search.study._strategy import experimental_optuna
from spaces import Space, check_space_for_task, load_space, starting_points

log = logging.getLogger("hpsearch")


def create_study(study_name: str, data: str | Path, *, storage_url: str | None = None,
                 data_options: DataOptions | None = None,
                 search_options: SearchOptions | None = None,
                 budget: BudgetOptions | None = None, resume: bool = True,
                 start_points: bool = True, **options: object) -> StudyConfig:
    """Create the study ``study_name`` for ``data`` and return its config.

    The options come as groups, or as keywords named like the groups' fields
    (``create_study("s", "d.csv", max_epochs=5)``), which replace the groups' values. If the
    study exists with the same data and settings it is reused (``resume``); with other data,
    search options, space or budget it is refused with the differences listed, so trials
    that do not compare never mix in one study (``hpsearch update`` changes a budget). With
    ``start_points``, the first trials are known-good configurations moved into the space.
    """
    keywords = dict(options)
    data_options = (data_options or DataOptions()).take(keywords)
    search_options = (search_options or SearchOptions()).take(keywords)
    budget = (budget or BudgetOptions()).take(keywords)
    refuse_unknown(keywords, DataOptions, SearchOptions, BudgetOptions)
    url = storage.resolve_storage_url(storage_url)
    rdb = storage.open_storage(url, heartbeat_interval=None)
    path = _data_file(data)
    fingerprint = data_fingerprint(path, data_options)
    space = load_space(search_options.space)
    existing = _existing_study(rdb, study_name, resume)
    if existing is not None:
        refuse_other_data(study_name, url, existing, fingerprint, data_options)
        refuse_other_settings(study_name, existing, search_options, space, budget)
        log.info("study %r exists with the same data and settings: resuming it", study_name)
        return existing
    space_asked = space.to_dict()
    split = load_split(path, data_options)
    check_space_for_task(space, split.task)
    check_metric(search_options.metric, split.task)
    vectorized = vectorize_split(split, data_options)
    report = _check_data(split, vectorized)
    baselines = _baselines(split, data_options.seed)
    prepared = vectorized.prepared.to_bytes()
    config = StudyConfig(
        task=split.task, classes=split.classes, data_path=str(path),
        data_fingerprint=fingerprint, cache_sha256=storage.blob_digest(prepared),
        space=space.to_dict(), space_asked=space_asked,
        max_len=vectorized.max_len, vocab_size=vectorized.prepared.vocab_size,
        data=data_options, search=search_options, budget=budget,
        embeddings=vectorized.embeddings, baselines=baselines, data_report=report,
        created_at=time.time())
    # The data is stored under the study's id, once the study exists: a process that loses
    # the race to create it stores nothing (see storage._blobs).
    storage.drop_orphan_blobs(rdb)
    study = _new_study(rdb, study_name, config)
    storage.put_blob(rdb, study_name, CACHE_KEY, prepared)
    if start_points:
        _enqueue_starting_points(study, space, config)
    log.info("created study %r in %s", study_name, storage.mask_url(url))
    return config


def _data_file(data: str | Path) -> Path:
    path = Path(data)
    if not path.is_file():
        raise DataError(f"Data file {str(path)!r} does not exist.")
    return path


def _existing_study(rdb: optuna.storages.BaseStorage, study_name: str,
                    resume: bool) -> StudyConfig | None:
    """The config of the study of that name, or None if there is no such study; refused
    without ``resume``."""
    existing = read_config(rdb, study_name)
    if existing is None:
        return None
    if not resume:
        raise StudyError(f"Study {study_name!r} already exists; `hpsearch worker --study "
                         f"{study_name}` adds trials to it.")
    return existing


def _check_data(split: LabelledSplit, vectorized: Vectorized) -> dict[str, object]:
    report = check_data(split.task, split.classes, split.texts, split.labels, split.train,
                        split.val, vectorized.lengths, vectorized.max_len)
    for warning in report["warnings"]:
        log.warning("data check: %s", warning)
    return report


def _baselines(split: LabelledSplit, seed: int) -> dict[str, dict[str, float]]:
    from search.data import compute_baselines  # scikit-learn: a slow import

    log.info("computing baselines (majority class, TF-IDF + logistic regression)")
    return compute_baselines(split, seed)


def _new_study(rdb: optuna.storages.BaseStorage, study_name: str,
               config: StudyConfig) -> optuna.Study:
    try:
        study = optuna.create_study(study_name=study_name, storage=rdb,
                                    direction=config.direction.value)
    except optuna.exceptions.DuplicatedStudyError:
        raise StudyError(f"Study {study_name!r} was created by another process meanwhile; "
                         "run the command again to resume it.") from None
    study.set_user_attr(CONFIG_ATTR, config.to_dict())
    with experimental_optuna():
        study.set_metric_names([config.metric.value])
    return study


def _enqueue_starting_points(study: optuna.Study, space: Space, config: StudyConfig) -> None:
    for point in starting_points(space, config.task,
                                 pretrained_embeddings=config.embeddings is not None):
        study.enqueue_trial(point, user_attrs={TrialAttr.STARTING_POINT: True})
