"""Binary payloads kept beside the study in the same database (the study's data, the kept
files of its trials, its ensemble's model).

Workers on other machines then need only the storage URL and the study name. A blob is keyed
by the study's *id*, not its name, so a study deleted and created again under the same name
never reads the old one's data; and it goes through the study's own engine, so it shares its
pool and waits out database outages like every other call (``ResilientStorage``).

A blob is written once: storing the same bytes again does nothing (a retried write, a second
``create``), and other bytes under a key that holds some are refused, since workers may be
running on what is stored.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar, cast

import sqlalchemy as sa

from storage._disk_full import storage_full
from storage._optuna_private import StudyModel
from storage._retry import RETRIED_ERRORS
from storage._storage_error import StorageError
from storage._url import is_sqlite, mask_secrets, mask_url

if TYPE_CHECKING:
    from storage._resilient import ResilientStorage

log = logging.getLogger("hpsearch.storage")
T = TypeVar("T")
_metadata = sa.MetaData()
blobs = sa.Table(
    "hpsearch_study_blobs",
    _metadata,
    sa.Column("study_id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(128), primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
)


def create_blob_table(engine: sa.Engine) -> None:
    """Create the blob table if missing (``open_storage`` calls it under its schema lock)."""
    _metadata.create_all(engine, checkfirst=True)


def _call(rdb: ResilientStorage, action: str, call: Callable[[], T], *,
          writes: int | None = None) -> T:
    """``call()`` retried through outages; any database error left becomes a StorageError (a
    ``StorageFull`` when the disk is full; ``writes``: the bytes the call writes, said then)."""
    try:
        return cast(T, rdb.with_retry(call))
    except RETRIED_ERRORS as exc:
        full = storage_full(exc, rdb.url, action, writes)
        if full is not None:
            raise full from None
        said = mask_secrets(str(exc).splitlines()[0], rdb.url)
        raise StorageError(f"Could not {action} in {mask_url(rdb.url)}: {said}") from None


def _study_id(rdb: ResilientStorage, study_name: str) -> int | None:
    try:
        return rdb.get_study_id_from_name(study_name)
    except KeyError:
        return None


def _stored_digest(rdb: ResilientStorage, study_id: int, key: str) -> str | None:
    def read() -> str | None:
        with rdb.engine.connect() as conn:
            return conn.execute(sa.select(blobs.c.sha256).where(
                blobs.c.study_id == study_id, blobs.c.key == key)).scalar_one_or_none()

    return _call(rdb, f"read the digest of {key!r}", read)


def blob_digest(data: bytes) -> str:
    """The sha256 a blob is stored and checked with."""
    return hashlib.sha256(data).hexdigest()


def put_blob(rdb: ResilientStorage, study_name: str, key: str, data: bytes) -> str:
    """Store ``data`` under (the study's id, ``key``) unless the same bytes are there already;
    return their sha256. Refuses (``StorageError``) when other bytes are stored under the key,
    or when the study does not exist."""
    digest = blob_digest(data)
    study_id = _study_id(rdb, study_name)
    if study_id is None:
        raise StorageError(f"Cannot store {key!r} for study {study_name!r}: there is no such "
                           f"study in {mask_url(rdb.url)}. Create the study first.")

    def insert() -> None:
        with rdb.engine.begin() as conn:
            conn.execute(blobs.insert().values(study_id=study_id, key=key, sha256=digest,
                                               data=data))

    stored = _stored_digest(rdb, study_id, key)
    if stored is None:
        try:
            _call(rdb, f"store {key!r} for study {study_name!r}", insert, writes=len(data))
            return digest
        except StorageError:
            # A write that reached the database before its connection dropped, or another
            # process storing the same key meanwhile: what is stored now decides.
            stored = _stored_digest(rdb, study_id, key)
            if stored is None:
                raise
    if stored != digest:
        raise StorageError(
            f"Study {study_name!r} already holds {key!r} with sha256 {stored[:12]}, and this "
            f"process made {digest[:12]} from its data. Stored data is never replaced, since "
            "workers may be running on it: delete the study and create it again, or create "
            "a study under a new name.")
    return digest


def get_blob(rdb: ResilientStorage, study_name: str, key: str) -> tuple[bytes, str] | None:
    """The (data, sha256) stored under (the study's id, ``key``), or None."""
    study_id = _study_id(rdb, study_name)
    if study_id is None:
        return None

    def read() -> tuple[bytes, str] | None:
        with rdb.engine.connect() as conn:
            row = conn.execute(sa.select(blobs.c.data, blobs.c.sha256).where(
                blobs.c.study_id == study_id, blobs.c.key == key)).first()
        return None if row is None else (bytes(row[0]), str(row[1]))

    return _call(rdb, f"read {key!r} of study {study_name!r}", read)


def blob_keys(rdb: ResilientStorage, study_name: str, prefix: str = "") -> list[str]:
    """The keys stored for the study that start with ``prefix``."""
    study_id = _study_id(rdb, study_name)
    if study_id is None:
        return []

    def read() -> list[str]:
        with rdb.engine.connect() as conn:
            rows = conn.execute(sa.select(blobs.c.key).where(
                blobs.c.study_id == study_id, blobs.c.key.startswith(prefix))).all()
        return sorted(str(row[0]) for row in rows)

    return _call(rdb, f"list the stored keys of study {study_name!r}", read)


def blob_sizes(rdb: ResilientStorage, study_name: str, keys: Iterable[str]) -> dict[str, int]:
    """The bytes stored under each of ``keys`` that holds something, by key."""
    study_id = _study_id(rdb, study_name)
    wanted = list(keys)
    if study_id is None or not wanted:
        return {}

    def read() -> dict[str, int]:
        with rdb.engine.connect() as conn:
            rows = conn.execute(sa.select(blobs.c.key, sa.func.length(blobs.c.data)).where(
                blobs.c.study_id == study_id, blobs.c.key.in_(wanted))).all()
        return {str(key): int(size) for key, size in rows}

    return _call(rdb, f"measure the stored data of study {study_name!r}", read)


def stored_bytes(rdb: ResilientStorage) -> dict[str, int]:
    """The bytes each study stores beside its trials (its data, its kept models, its
    ensemble's and answer's), by study name; a study storing nothing is left out."""

    def read() -> dict[str, int]:
        with rdb.engine.connect() as conn:
            rows = conn.execute(
                sa.select(StudyModel.study_name, sa.func.sum(sa.func.length(blobs.c.data)))
                .join(StudyModel, StudyModel.study_id == blobs.c.study_id)
                .group_by(StudyModel.study_name)).all()
        return {str(name): int(size or 0) for name, size in rows}

    return _call(rdb, "measure the stored data of every study", read)


def give_back_space(rdb: ResilientStorage) -> None:
    """Return the pages that deleted rows left free in a SQLite file to the disk (files made
    by hpsearch since it bounds kept models have incremental auto-vacuum; see
    ``storage._sqlite.StudyConnection``). Best effort: moving pages needs room in the
    journal, so on a full disk the free pages stay in the file, for its next write. PostgreSQL
    needs nothing: autovacuum makes deleted rows' space reusable."""
    if not is_sqlite(rdb.url):
        return
    try:
        with rdb.engine.connect() as conn:
            if not conn.exec_driver_sql("PRAGMA freelist_count").scalar():
                return
            # Python's sqlite3 steps a pragma once, freeing one page; a script runs it through.
            driver = cast(sqlite3.Connection, conn.connection.dbapi_connection)
            driver.executescript("PRAGMA incremental_vacuum;")
    except (sqlite3.Error, *RETRIED_ERRORS) as exc:
        log.debug("the free pages of %s stay in the file: %s", mask_url(rdb.url), exc)


def delete_blob(rdb: ResilientStorage, study_name: str, key: str) -> None:
    """Delete one blob (a kept model that is no longer among the best); the study's data
    itself is never deleted this way while the study lives."""
    study_id = _study_id(rdb, study_name)
    if study_id is None:
        return

    def drop() -> None:
        with rdb.engine.begin() as conn:
            conn.execute(blobs.delete().where(blobs.c.study_id == study_id,
                                              blobs.c.key == key))

    _call(rdb, f"delete {key!r} of study {study_name!r}", drop)


def drop_orphan_blobs(rdb: ResilientStorage) -> int:
    """Delete the blobs of studies that no longer exist (deleted by another tool, such as a
    dashboard allowed to write); returns how many. SQLite gives a new study the id of the last
    deleted one, so ``create`` calls this before it makes a study."""

    def drop() -> int:
        with rdb.engine.begin() as conn:
            studies = sa.select(StudyModel.study_id)
            result = conn.execute(blobs.delete().where(blobs.c.study_id.not_in(studies)))
            return int(result.rowcount)

    return _call(rdb, "delete the data of deleted studies", drop)


def delete_study(rdb: ResilientStorage, study_name: str) -> None:
    """Delete the study, its trials and its blobs. The blobs go first: an interruption leaves
    a study without its data (deleting it again finishes the job), never data without a
    study."""
    study_id = _study_id(rdb, study_name)
    if study_id is None:
        raise StorageError(f"No study named {study_name!r} in {mask_url(rdb.url)}.")

    def drop() -> None:
        with rdb.engine.begin() as conn:
            conn.execute(blobs.delete().where(blobs.c.study_id == study_id))

    _call(rdb, f"delete the data of study {study_name!r}", drop)
    _call(rdb, f"delete study {study_name!r}", lambda: rdb.delete_study(study_id))
    give_back_space(rdb)
