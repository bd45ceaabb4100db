"""``hpsearch create``: check the data, fit the vocabularies once, record everything in a study.

``create_study`` is a pipeline of named steps: check the options, find the data file, load the
space, resume a study of the same data and settings, read and split the table, check the space
and the metric against the task, fit the vocabularies, check the data, score the majority
baseline on the held validation rows, create the study with its config, store its data under
its id, and queue the starting points. The TF-IDF + logistic-regression baseline is one of
those starting points (``spaces.families.BASELINE``): the worker that runs it records it as
a baseline, so it is fitted once, as a trial, on both cores.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from pathlib import Path

import numpy as np
import optuna

import storage
from search._errors import DataError, OptionError, StudyError
from search._paths import input_file
from search.data import (
    LabelledSplit,
    check_data,
    data_fingerprint,
    file_sha256,
    load_split,
)
from search.metrics import DEFAULT_OBJECTIVE, TrialAttr, check_metric
from search.options import BudgetOptions, DataOptions, SearchOptions, refuse_unknown
from search.study._config import CONFIG_ATTR, StudyConfig
from search.study._featurize import Featurized, featurize_split
from search.study._open import DATA_KEY, read_config
from search.study._resume import refuse_other_data, refuse_other_settings
from search.study._strategy import experimental_optuna
from spaces import Space, Task, check_space_for_task, load_space, starting_points
from spaces.features import StudyData, stratified_order

log = logging.getLogger("hpsearch")
# The longest study name Optuna's tables hold.
MAX_NAME_LENGTH = 512
# Validation rows kept for choosing, and held, at most (the others train): on a million rows
# the 20% asked were 200,000, whose encodings alone took 2 GB of each worker.
MAX_SCORED_ROWS = 20_000


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
    ``start_points``, the first trials are known-good configurations moved into the space. A
    create that fails leaves nothing behind: no study, no stored data, no new SQLite file.
    """
    from search.data import majority_baseline  # scikit-learn: only when a study is made

    keywords = dict(options)
    data_options = (data_options or DataOptions()).take(keywords)
    search_options = (search_options or SearchOptions()).take(keywords)
    budget = (budget or BudgetOptions()).take(keywords)
    refuse_unknown(keywords, DataOptions, SearchOptions, BudgetOptions)
    url = storage.resolve_storage_url(storage_url)
    path = _check_inputs(study_name, data, data_options, search_options)
    problem = storage.sqlite_file_problem(url, must_exist=False)
    if problem:
        raise StudyError(problem)
    with storage.sqlite_file_removed_on_failure(url):
        rdb = storage.open_storage(url, heartbeat_interval=None)
        fingerprint = data_fingerprint(path, data_options)
        space = load_space(search_options.space)
        existing = _existing_study(rdb, study_name, resume)
        if existing is not None:
            refuse_other_data(study_name, url, existing, fingerprint, data_options)
            refuse_other_settings(study_name, existing,
                                  with_objective(search_options, existing.task), space, budget)
            log.info("study %r exists with the same data and settings: resuming it",
                     study_name)
            return existing
        space_asked = space.to_dict()
        split = load_split(path, data_options)
        check_space_for_task(space, split.task)
        search_options = with_objective(search_options, split.task)
        check_metric(search_options.metric or DEFAULT_OBJECTIVE[split.task], split.task)
        featurized = featurize_split(split, data_options)
        featurized = dataclasses.replace(featurized, data=hold_out(
            featurized.data, split.task, data_options.seed))
        vocabulary = featurized.data.vocabulary
        space = space.capped("ngram_vocab", max(vocabulary.available_ngrams(), 1)).capped(
            "char_vocab", max(vocabulary.available_chars(), 1))
        if not vocabulary.available_chars():  # texts too short for any character n-gram
            space = space.fixed("chars", False)
        report = _check_data(split, featurized)
        stored = featurized.data.to_bytes()
        config = StudyConfig(
            task=split.task, classes=split.classes, data_path=str(path),
            data_fingerprint=fingerprint, data_sha256=file_sha256(path),
            cache_sha256=storage.blob_digest(stored), space=space.to_dict(),
            space_asked=space_asked, max_len=vocabulary.max_len,
            vocab_size=vocabulary.word_vocab_size,
            data=data_options, search=search_options, budget=budget.with_keep_defaults(),
            embeddings=featurized.embeddings,
            baselines={"majority": majority_baseline(
                split.task, split.y[split.train], _held_rows(featurized.data),
                split.classes)},
            data_report=report, created_at=time.time())
        _record(rdb, url, study_name, config, stored, space if start_points else None)
    log.info("created study %r in %s", study_name, storage.mask_url(url))
    return config


def hold_out(data: StudyData, task: Task, seed: int) -> StudyData:
    """``data`` with a stratified share of its validation rows (``search.data.HELD_FRAC``)
    moved to its held rows, stored so: the same rows on every machine. Past
    ``MAX_SCORED_ROWS`` choosing or held rows, a stratified choice of that many is kept and the
    others join the training rows: every trial is scored on them, and what a worker holds grows
    with them."""
    from search.data import held_split

    choose, held = held_split(data.y_val, task.value, seed)
    choose, spare_choose = _capped(choose, data.y_val, seed)
    held, spare_held = _capped(held, data.y_val, seed + 1)
    spare = np.concatenate([spare_choose, spare_held])
    if len(spare):
        log.info("validation rows: %d for choosing and %d held of %d; the other %d train (a "
                 "share measured on %d rows has a standard error of at most %.2f points)",
                 len(choose), len(held), len(data.y_val), len(spare), MAX_SCORED_ROWS,
                 50 / MAX_SCORED_ROWS ** 0.5)
    return dataclasses.replace(
        data, train_texts=data.train_texts + [data.val_texts[i] for i in spare],
        y_train=np.concatenate([data.y_train, data.y_val[spare]]),
        val_texts=[data.val_texts[i] for i in choose], y_val=data.y_val[choose],
        held_texts=[data.val_texts[i] for i in held], y_held=data.y_val[held])


def _capped(rows: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(a stratified choice of at most ``MAX_SCORED_ROWS`` of ``rows``, the others)."""
    rows = np.asarray(rows, dtype="int64")
    if len(rows) <= MAX_SCORED_ROWS:
        return rows, rows[:0]
    order = stratified_order(y[rows], seed)
    return np.sort(rows[order[:MAX_SCORED_ROWS]]), rows[order[MAX_SCORED_ROWS:]]


def _held_rows(data: StudyData) -> np.ndarray:
    """The targets of the held rows, where the baselines are compared with the answer (the
    validation rows when too few to hold any out)."""
    held = data.y_held
    return held if held is not None and len(held) else data.y_val


def check_study_name(study_name: str) -> str:
    """``study_name`` if it can name a study: not blank, at most ``MAX_NAME_LENGTH`` long."""
    if not study_name.strip():
        raise OptionError(f"A study name needs at least one visible character, but got "
                          f"{study_name!r}. Pass --study NAME.")
    if len(study_name) > MAX_NAME_LENGTH:
        raise OptionError(f"A study name may have at most {MAX_NAME_LENGTH} characters, but "
                          f"got {len(study_name)}. Choose a shorter --study name.")
    return study_name


def with_objective(options: SearchOptions, task: Task) -> SearchOptions:
    """``options`` with the task's default objective when ``--metric`` was not given."""
    if options.metric is not None:
        return options
    return dataclasses.replace(options, metric=DEFAULT_OBJECTIVE[task])


def _check_inputs(study_name: str, data: str | Path, data_options: DataOptions,
                  search_options: SearchOptions) -> Path:
    """Every name and file the study needs, checked before anything is opened or written."""
    check_study_name(study_name)
    for flag, given in (("--val-data", data_options.val_data),
                        ("--embeddings", data_options.embeddings),
                        ("--space", search_options.space)):
        if given is not None:
            input_file(given, f"The file given to {flag}", DataError)
    return input_file(data, "Data file (--data)", DataError)


def _record(rdb: storage.ResilientStorage, url: str, study_name: str, config: StudyConfig,
            stored: bytes, space: Space | None) -> None:
    """Create the study with its config, store its data under its id, queue the
    starting points (unless ``space`` is None); if any step fails, undo the others. The data
    is stored once the study exists, under its id: a process that loses the race to create
    it stores nothing (see storage._blobs)."""
    storage.drop_orphan_blobs(rdb)
    study = _empty_study(rdb, study_name, config)
    try:
        study.set_user_attr(CONFIG_ATTR, config.to_dict())
        with experimental_optuna():
            study.set_metric_names([config.metric.value])
        storage.put_blob(rdb, study_name, DATA_KEY, stored)
        if space is not None:
            _enqueue_starting_points(study, space, config)
    except BaseException:
        _discard(rdb, url, study_name)
        raise


def _discard(rdb: storage.ResilientStorage, url: str, study_name: str) -> None:
    """Remove what a failed create wrote: the study it made, with its data."""
    try:
        storage.delete_study(rdb, study_name)
    except Exception as exc:  # the first error matters; the next create cleans up the rest
        log.warning("could not remove the half-made study %r: %s", study_name,
                    storage.mask_secrets(str(exc), url))


def _remove_half_made(rdb: storage.ResilientStorage, study_name: str) -> None:
    """An interrupted create can leave a study without its config and without trials: remove
    it so that it is created again (one with trials is not hpsearch's and stays refused)."""
    try:
        study_id = rdb.get_study_id_from_name(study_name)
    except KeyError:
        return
    if CONFIG_ATTR in rdb.get_study_user_attrs(study_id) or rdb.get_all_trials(study_id):
        return
    log.warning("study %r has no hpsearch config and no trials: a create of it was "
                "interrupted. Removing it and creating it again.", study_name)
    storage.delete_study(rdb, study_name)


def _existing_study(rdb: storage.ResilientStorage, study_name: str,
                    resume: bool) -> StudyConfig | None:
    """The config of the study of that name, or None if there is none (a half-made one is
    removed first); refused without ``resume``."""
    _remove_half_made(rdb, study_name)
    existing = read_config(rdb, study_name)
    if existing is None:
        return None
    if not resume:
        raise StudyError(f"Study {study_name!r} already exists; `hpsearch worker --study "
                         f"{study_name}` adds trials to it.")
    return existing


def _check_data(split: LabelledSplit, featurized: Featurized) -> dict[str, object]:
    vocabulary = featurized.data.vocabulary
    report = check_data(split.task, split.classes, split.texts, split.labels, split.train,
                        split.val, featurized.lengths, vocabulary.max_len)
    for warning in report["warnings"]:
        log.warning("data check: %s", warning)
    return report


def _empty_study(rdb: storage.ResilientStorage, study_name: str,
                 config: StudyConfig) -> optuna.Study:
    try:
        return optuna.create_study(study_name=study_name, storage=rdb,
                                   direction=config.direction.value)
    except optuna.exceptions.DuplicatedStudyError:
        raise StudyError(f"Study {study_name!r} was created by another process meanwhile; "
                         "run the command again to resume it.") from None


def _enqueue_starting_points(study: optuna.Study, space: Space, config: StudyConfig) -> None:
    """The first of them, as many as the study's trial budget holds."""
    points = starting_points(space, config.task,
                             pretrained_embeddings=config.embeddings is not None)
    for name, point in points[:config.budget.n_trials]:
        study.enqueue_trial(point, user_attrs={TrialAttr.STARTING_POINT: name})
