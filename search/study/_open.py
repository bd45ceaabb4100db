"""Opening studies and reading the hpsearch config recorded in them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import optuna

import storage
from search._errors import StudyError
from search.study._config import BASELINES_ATTR, CONFIG_ATTR, StudyConfig
from search.study._strategy import make_pruner, make_sampler
from spaces.features import StudyData, stratified_order

# The study's data (split, vocabularies) in its blob table.
DATA_KEY = "study-data"


def read_config(rdb: optuna.storages.BaseStorage, study_name: str) -> StudyConfig | None:
    """The study's config, or None when no study has that name."""
    try:
        study_id = rdb.get_study_id_from_name(study_name)
    except KeyError:
        return None
    attrs = rdb.get_study_user_attrs(study_id)
    if CONFIG_ATTR not in attrs:
        raise StudyError(
            f"Study {study_name!r} exists but was not created by hpsearch (no {CONFIG_ATTR!r} "
            "attribute). Choose another --study name."
        )
    return config_from_attrs(attrs)


def config_of(study: optuna.Study) -> StudyConfig:
    """The config of an open study as its storage holds it now: ``hpsearch update`` changes
    the budget under running workers, which read it again before every trial."""
    return config_from_attrs(study.user_attrs)


def config_from_attrs(attrs: dict[str, Any]) -> StudyConfig:
    """The config a study's attributes hold; the baselines the workers computed since
    ``create`` are among its baselines."""
    config = StudyConfig.from_dict(attrs[CONFIG_ATTR])
    config.baselines.update(attrs.get(BASELINES_ATTR) or {})
    return config


def refuse_shared_sqlite(url: str, mounts_text: str | None = None) -> None:
    """Refuse a SQLite file that workers on several machines would share (see storage)."""
    problem = storage.shared_sqlite_problem(url, mounts_text)
    if problem:
        raise StudyError(problem)


def study_names(rdb: optuna.storages.BaseStorage) -> list[str]:
    return [s.study_name for s in rdb.get_all_studies()]


def require_config(rdb: optuna.storages.BaseStorage, url: str,
                   study_name: str) -> StudyConfig:
    """The study's config; a missing study is refused with the names of those there."""
    config = read_config(rdb, study_name)
    if config is None:
        known = study_names(rdb)
        raise StudyError(
            f"No study named {study_name!r} in {storage.mask_url(url)}. "
            + (f"Studies there: {', '.join(known)}." if known else "It holds no studies yet; "
               "create one with `hpsearch create` or `hpsearch run`.")
        )
    return config


def open_existing(url: str, study_name: str, **options: Any) -> storage.ResilientStorage:
    """The storage at ``url`` for a command that reads ``study_name``; a SQLite file that does
    not exist is refused before opening, which would leave an empty database file behind."""
    missing = storage.sqlite_file_problem(url, must_exist=True)
    if missing:
        raise StudyError(f"No study named {study_name!r}. {missing}")
    return storage.open_storage(url, **options)


def open_study(study_name: str, url: str | None = None, *, heartbeat_interval: int | None = None,
               seed: int | None = None, grace_period: int | None = None,
               retry_window_s: float = storage.DEFAULT_RETRY_WINDOW_S,
               ) -> tuple[optuna.Study, StudyConfig]:
    """The study with its sampler and pruner rebuilt from its config.

    Workers pass their heartbeat settings and how long to wait out a database outage."""
    url = storage.resolve_storage_url(url)
    rdb = open_existing(url, study_name, heartbeat_interval=heartbeat_interval,
                        grace_period=grace_period, retry_window_s=retry_window_s)
    config = require_config(rdb, url, study_name)
    study = optuna.load_study(study_name=study_name, storage=rdb,
                              sampler=make_sampler(config.search, seed),
                              pruner=make_pruner(config.search))
    return study, config


def load_data(study: optuna.Study, config: StudyConfig) -> StudyData:
    """The study's data, checked against the digest recorded at creation."""
    rdb = storage.storage_of(study)
    found = storage.get_blob(rdb, study.study_name, DATA_KEY)
    if found is None:
        raise StudyError(
            f"Study {study.study_name!r} has no data stored with it in "
            f"{storage.mask_url(rdb.url)}: its `hpsearch create` was interrupted, or is still "
            f"running. Delete it (`hpsearch delete --study {study.study_name}`) and create it "
            "again."
        )
    data, digest = found
    if digest != config.cache_sha256:
        raise StudyError(
            f"The data stored for study {study.study_name!r} (sha256 {digest[:12]}) "
            f"does not match the one the study was created with ({config.cache_sha256[:12]}). "
            "Refusing to run trials on other data; recreate the study under a new name."
        )
    return in_training_order(StudyData.from_bytes(data))


def in_training_order(data: StudyData) -> StudyData:
    """``data`` with its training rows in a stratified order (``stratified_order``): the
    first rows of it are the subsample a trial grown by rungs of rows fits first. Every
    reader sees this order: a worker, the exported script's rows file."""
    order = stratified_order(data.y_train, seed=0)
    return replace(data, train_texts=[data.train_texts[i] for i in order],
                   y_train=data.y_train[order])
