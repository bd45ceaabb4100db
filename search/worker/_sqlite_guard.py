"""SQLite is for one machine: refuse it across machines, warn where parallel use strains it."""

from __future__ import annotations

import logging

import storage
from search._errors import StudyError

log = logging.getLogger("hpsearch")
POSTGRES_HINT = ("Use PostgreSQL for that: --storage postgresql+psycopg://USER@HOST/DB, with the "
                 "password in $HPSEARCH_STORAGE or a file named by $HPSEARCH_STORAGE_FILE "
                 "(docker compose up starts one).")
# Beyond this many local workers SQLite's single write lock becomes the bottleneck.
SQLITE_COMFORTABLE_WORKERS = 4


def refuse_shared_sqlite(url: str, mounts_text: str | None = None) -> None:
    """Refuse a SQLite file on a network file system: workers on other machines would share
    it, and SQLite's locks do not hold across machines."""
    fs_type = storage.sqlite_on_network_filesystem(url, mounts_text)
    if fs_type:
        raise StudyError(
            f"The SQLite study file {storage.sqlite_path(url)} lies on a {fs_type} network file "
            "system. SQLite's locking does not work across machines, so workers there would "
            f"lock up or corrupt the study. {POSTGRES_HINT}")


def sqlite_parallel_warnings(url: str, *, workers: int, queued: int) -> list[str]:
    """Warnings for ``workers`` processes sharing the SQLite file of ``url`` (none for
    PostgreSQL): each write takes the file's single lock, queued trials make them contend."""
    if not storage.is_sqlite(url) or workers < 2:
        return []
    found = []
    if queued:
        found.append(
            f"{queued} queued trial(s) and {workers} workers on SQLite: each queued trial goes "
            "to one worker, but taking it and every other write wait for SQLite's single file "
            f"lock. {POSTGRES_HINT}")
    if workers > SQLITE_COMFORTABLE_WORKERS:
        found.append(
            f"{workers} workers on one SQLite file: every write waits for the file lock, so "
            f"more than {SQLITE_COMFORTABLE_WORKERS} workers mostly wait. {POSTGRES_HINT}")
    for warning in found:
        log.warning("%s", warning)
    return found
