"""Files and folders the user names: inputs that must be readable files, outputs hpsearch may
write. Checked where they enter, so a mistyped path is a message, never a traceback, and an
output is refused before any work is done."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from search._errors import DiskFull, HpsearchError, PathError
from storage import is_disk_full


def input_file(path: str | Path, what: str,
               error: type[HpsearchError] = PathError) -> Path:
    """``path`` if it is a file; else ``error`` saying whether it is missing or a directory.
    ``what`` names it in the message (``"Data file (--data)"``)."""
    path = Path(path)
    if path.is_dir():
        raise error(f"{what} {str(path)!r} is a directory, not a file. Name a file in it.")
    if not path.is_file():
        where = path.absolute().parent
        hint = "" if where.is_dir() else f" (its folder {str(where)!r} does not exist either)"
        raise error(f"{what} {str(path)!r} does not exist{hint}. Check the path, relative to "
                    "the folder you run hpsearch in.")
    return path


def _writable_ancestor(path: Path, what: str) -> None:
    """Refuse ``path`` when the nearest folder that exists above it cannot take new entries
    (or is a file), without creating anything."""
    ancestor = path.absolute().parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise PathError(f"{what} {str(path)!r} cannot be written: {str(ancestor)!r} is a "
                        "file, not a folder. Choose another path.")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise PathError(f"{what} {str(path)!r} cannot be written: no permission to write in "
                        f"{str(ancestor)!r}. Choose a folder you can write to.")


def output_file(path: str | Path, what: str) -> Path:
    """``path`` if a file may be written there: not a directory, under a folder that exists
    or can be made. Nothing is created."""
    path = Path(path)
    if path.is_dir():
        raise PathError(f"{what} {str(path)!r} is a directory; name the file to write, like "
                        f"{str(path / 'train_best.py')!r}.")
    _writable_ancestor(path, what)
    return path


def output_folder(path: str | Path, what: str) -> Path:
    """``path`` if a folder may be written there (it exists as a folder, or can be made)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise PathError(f"{what} {str(path)!r} is a file; name a folder (new or existing).")
    if not path.exists():
        _writable_ancestor(path, what)
    return path


def refuse_to_replace(paths: Iterable[Path], what: str, *, force: bool) -> None:
    """Unless ``force``, refuse to write where any of ``paths`` exists, naming each: a file a
    person wrote (or an earlier output they changed) is replaced only when they say so."""
    found = [str(path) for path in paths if path.exists()]
    if found and not force:
        raise PathError(f"{what} would replace {len(found)} file(s) that exist: "
                        f"{', '.join(found)}. Pass --force to replace them, or choose another "
                        "path.")


def make_folder(path: Path, what: str) -> Path:
    """Create the folder ``path`` (and its parents); an OS error is a ``PathError``."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PathError(f"Could not create {what} {str(path)!r}: {exc.strerror or exc}. "
                        "Choose another path.") from None
    return path


def write_file(path: Path, content: str | bytes, what: str, *, executable: bool = False,
               ) -> Path:
    """Write ``content`` (text as UTF-8) to ``path`` (making its folder); an OS error is a
    ``PathError``."""
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if executable:
            path.chmod(0o755)
    except OSError as exc:
        if is_disk_full(exc):
            path.unlink(missing_ok=True)  # a partial file would hold the space it needs
            raise _disk_full(path, what, len(data)) from None
        raise PathError(f"Could not write {what} {str(path)!r}: "
                        f"{exc.strerror or exc}. Choose another path.") from None
    return path


def _disk_full(path: Path, what: str, needed: int) -> DiskFull:
    folder = path.absolute().parent
    try:
        free = f"{shutil.disk_usage(folder).free / 1e6:.1f} MB free"
    except OSError:
        free = "free space unknown"
    return DiskFull(f"Could not write {what} {str(path)!r}: the disk is full ({free} in "
                    f"{folder}; the file needs {needed / 1e6:.1f} MB). Free space there, or "
                    "choose a folder on another disk, and run the command again; nothing "
                    "half-written was left.")
