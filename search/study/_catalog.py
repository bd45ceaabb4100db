"""Every study in a storage at a glance (``hpsearch studies``)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import storage
from search._errors import StudyError
from search.study._config import CONFIG_ATTR
from search.study._open import config_from_attrs
from search.study._summary import best_of, count_states


@dataclass(frozen=True)
class StudyListing:
    """One study: what it searches, its trials by state, its best value beside the baselines'
    values of its objective, the bytes it stores beside its trials (its data and kept
    models). ``note`` says why a study shows no more (not hpsearch's, or an unreadable
    config)."""

    name: str
    task: str | None
    metric: str | None
    counts: dict[str, int]
    best: float | None
    baselines: dict[str, float | None]
    created_at: float | None
    note: str | None = None
    stored_bytes: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _listing(rdb: storage.ResilientStorage, name: str, attrs: dict[str, Any]) -> StudyListing:
    trials = rdb.get_all_trials(rdb.get_study_id_from_name(name), deepcopy=False)
    counts = count_states(trials)
    if CONFIG_ATTR not in attrs:
        return StudyListing(name, None, None, counts, None, {}, None,
                            note="not created by hpsearch")
    try:
        config = config_from_attrs(attrs)
    except StudyError as exc:
        return StudyListing(name, None, None, counts, None, {}, None, note=str(exc))
    best = best_of(trials, config.direction)
    return StudyListing(
        name, config.task.value, config.metric.value, counts,
        best.value if best else None,
        {baseline: values.get(config.metric.value)
         for baseline, values in config.baselines.items()},
        config.created_at)


def list_studies(storage_url: str | None = None) -> list[StudyListing]:
    """The studies of the storage, by name."""
    url = storage.resolve_storage_url(storage_url)
    if storage.sqlite_file_problem(url, must_exist=True):
        return []  # no such SQLite file: opening it would leave an empty one behind
    rdb = storage.open_storage(url, heartbeat_interval=None)
    stored = storage.stored_bytes(rdb)
    return sorted((dataclasses.replace(_listing(rdb, frozen.study_name, frozen.user_attrs),
                                       stored_bytes=stored.get(frozen.study_name, 0))
                   for frozen in rdb.get_all_studies()), key=lambda listing: listing.name)
