"""A full disk under the study storage, told apart from the database's other errors and said
with where it is and how much a write needed, so that a person can free the space and go on.
It loads no database library: the CLI's exit path names ``StorageFull``.

Nothing is lost when it happens: SQLite and PostgreSQL roll the refused write back, and the
study holds every trial that finished before it.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3

from storage._sqlite import sqlite_path
from storage._storage_error import StorageError
from storage._url import mask_url

DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
POSTGRES_DISK_FULL = "53100"  # SQLSTATE disk_full


class StorageFull(StorageError):
    """The disk holding the study storage is full: the write was refused and undone."""


def is_disk_full(exc: BaseException) -> bool:
    """True when ``exc``, or an exception it came from, is a file system or a database saying
    that its disk (or the user's quota) is full."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        found = todo.pop()
        if found is None or id(found) in seen:
            continue
        seen.add(id(found))
        todo += [found.__cause__, found.__context__]
        for error in (found, getattr(found, "orig", None)):
            if isinstance(error, OSError) and error.errno in DISK_FULL_ERRNOS:
                return True
            if isinstance(error, sqlite3.Error) and (
                    getattr(error, "sqlite_errorname", None) == "SQLITE_FULL"
                    or "database or disk is full" in str(error)):
                return True
            # psycopg names the SQLSTATE sqlstate; psycopg2 (postgresql+psycopg2://), pgcode
            if POSTGRES_DISK_FULL in (getattr(error, "sqlstate", None),
                                      getattr(error, "pgcode", None)):
                return True
    return False


def megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def storage_full(exc: BaseException, url: str, action: str,
                 needed: int | None = None) -> StorageFull | None:
    """A ``StorageFull`` for ``exc`` if it means the disk of the storage at ``url`` is full
    (None otherwise), saying what could not be done (``action``: "keep 'model.keras' of trial
    3 of study 's'"), where, the space free there and ``needed``, the bytes the write held."""
    if not is_disk_full(exc):
        return None
    needs = "" if needed is None else f"; this write needed about {megabytes(needed)}"
    path = sqlite_path(url)
    if path is None:
        return StorageFull(
            f"Could not {action}: the disk of the database server of {mask_url(url)} is "
            f"full{needs}. Free space on it, then run the command again: the write was undone "
            "and the study holds every trial that finished.")
    folder = path.absolute().parent
    try:
        free = f"{megabytes(shutil.disk_usage(folder).free)} free"
    except OSError:
        free = "free space unknown"
    return StorageFull(
        f"Could not {action}: the disk holding the study file {path} is full ({free} in "
        f"{folder}{needs}). Free space there, then run the command again: the write was "
        "undone and the study holds every trial that finished.")
