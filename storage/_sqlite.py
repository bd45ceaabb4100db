"""SQLite is for one machine: where its file lies, the file systems that cannot hold it, and
when parallel workers strain it. Callers raise or log what these functions say."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from storage._url import how_to_give, is_sqlite, mask_url

log = logging.getLogger("hpsearch.storage")
POSTGRES_HINT = ("Use PostgreSQL for that: --storage postgresql+psycopg://USER@HOST/DB, with the "
                 "password in $HPSEARCH_STORAGE or a file named by $HPSEARCH_STORAGE_FILE "
                 "(docker compose up starts one).")
# Beyond this many local workers SQLite's single write lock becomes the bottleneck.
SQLITE_COMFORTABLE_WORKERS = 4

# File systems that other machines mount: SQLite's locks are unreliable on them, so workers on
# several machines would corrupt or lock the study.
NETWORK_FILESYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "afs", "ceph", "glusterfs", "fuse.glusterfs",
    "lustre", "gpfs", "beegfs", "fuse.sshfs", "fuse.s3fs", "fuse.gcsfuse", "fuse.rclone",
    "davfs", "fuse.davfs2", "fuse.juicefs", "fuse.cephfs",
})


class StudyConnection(sqlite3.Connection):
    """A connection to a SQLite study file that gives the space of what it deletes back.

    A file it creates has incremental auto-vacuum (``storage.give_back_space`` then returns
    its free pages to the disk; the setting takes only before a file's first table, so files
    made earlier keep theirs). And it deletes without overwriting: Debian builds SQLite with
    ``secure_delete`` on, which copies every deleted page to the journal and zeroes it, so
    dropping a 12 MB model needed 12 MB free and failed on a full disk; ``FAST`` zeroes only
    what costs no more writing, and the freed pages are reused by the next write.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.execute("PRAGMA secure_delete = FAST")
        self.execute("PRAGMA auto_vacuum = INCREMENTAL")


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///path`` URL (None for an in-memory database or another URL)."""
    if not url.startswith("sqlite"):
        return None
    _, sep, rest = url.partition(":///")
    path = rest.split("?", 1)[0]
    if not sep or not path or path == ":memory:":
        return None
    return Path(path)


def sqlite_file_problem(url: str, *, must_exist: bool) -> str | None:
    """Why the SQLite file of ``url`` cannot hold studies, or None: it is a directory, its
    folder is missing, or (``must_exist``, for commands that read a study) there is no such
    file. Checking first means a mistyped path leaves no empty database behind."""
    path = sqlite_path(url)
    if path is None:
        return None
    where = f"{path} (from the storage URL {mask_url(url)})"
    if path.is_dir():
        return (f"The SQLite study file {where} is a directory. Name a file in it, like "
                f"sqlite:///{path / 'hpsearch.db'}.")
    if must_exist and not path.exists():
        return (f"There is no SQLite database at {where}, so it holds no study. Run the "
                "command in the folder where the study was created, or "
                f"{how_to_give(url, 'the path of its database file')}.")
    if not path.exists() and not path.absolute().parent.is_dir():
        return (f"The folder of the SQLite study file {where} does not exist. Create it, or "
                "name a file in an existing folder.")
    return None


def _holds_studies(path: Path) -> bool:
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            return bool(db.execute("SELECT count(*) FROM studies").fetchone()[0])
    except sqlite3.Error:  # no table: no study
        return False


@contextlib.contextmanager
def sqlite_file_removed_on_failure(url: str) -> Iterator[None]:
    """If the block fails, remove the SQLite file of ``url`` when the block created it and it
    holds no study (a failed ``create`` on a new path leaves no empty database behind)."""
    path = sqlite_path(url)
    created = path is not None and not path.exists()
    try:
        yield
    except BaseException:
        if created and path is not None and path.is_file() and not _holds_studies(path):
            for leftover in (path, *(path.with_name(path.name + s)
                                      for s in ("-journal", "-wal", "-shm"))):
                leftover.unlink(missing_ok=True)
            log.debug("removed %s, created by the failed command", path)
        raise


def _mounts(mounts_text: str) -> list[tuple[str, str]]:
    found = []
    for line in mounts_text.splitlines():
        fields = line.split()
        if len(fields) >= 3:
            # /proc/mounts escapes spaces in mount points as \040.
            found.append((fields[1].replace("\\040", " "), fields[2]))
    return found


def filesystem_type(path: Path, mounts_text: str | None = None) -> str | None:
    """The type of the file system holding ``path`` (its directory if it does not exist yet),
    from ``/proc/mounts``; None where that cannot be read (not Linux)."""
    if mounts_text is None:
        try:
            mounts_text = Path("/proc/mounts").read_text()
        except OSError:
            return None
    target = os.path.realpath(path if path.exists() else path.parent or Path("."))
    best, best_type = "", None
    for mount_point, fs_type in _mounts(mounts_text):
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):
            best, best_type = mount_point, fs_type
    return best_type


def sqlite_on_network_filesystem(url: str, mounts_text: str | None = None) -> str | None:
    """The network file system type the SQLite file of ``url`` lies on, or None."""
    path = sqlite_path(url)
    if path is None:
        return None
    fs_type = filesystem_type(path, mounts_text)
    return fs_type if fs_type in NETWORK_FILESYSTEMS else None


def shared_sqlite_problem(url: str, mounts_text: str | None = None) -> str | None:
    """Why the SQLite file of ``url`` must not hold a study that workers share (it lies on a
    network file system, whose locks do not hold across machines), or None."""
    fs_type = sqlite_on_network_filesystem(url, mounts_text)
    if not fs_type:
        return None
    return (f"The SQLite study file {sqlite_path(url)} lies on a {fs_type} network file "
            "system. SQLite's locking does not work across machines, so workers there would "
            f"lock up or corrupt the study. {POSTGRES_HINT}")


def sqlite_parallel_warnings(url: str, *, workers: int, queued: int) -> list[str]:
    """Warnings for ``workers`` processes sharing the SQLite file of ``url`` (none for
    PostgreSQL): each write takes the file's single lock, queued trials make them contend.
    They are logged, and returned."""
    if not is_sqlite(url) or workers < 2:
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
