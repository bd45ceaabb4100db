"""A small file system of its own, to fill up for real: a tmpfs mounted for one test (mounting
needs root and the right to mount, as on CI; elsewhere the test skips and says why)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30)


class TinyDisk:
    """A mounted tmpfs at ``path``; ``resize`` grows it (space freed) without unmounting."""

    def __init__(self, path: Path):
        self.path = path

    def free(self) -> int:
        return shutil.disk_usage(self.path).free

    def resize(self, size: str) -> None:
        done = _mount("-o", f"remount,size={size}", str(self.path))
        assert done.returncode == 0, done.stderr


@contextmanager
def tiny_disk(path: Path, size: str) -> Iterator[TinyDisk]:
    """A tmpfs of ``size`` (``"4m"``) mounted at ``path`` for the block, then unmounted."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("filling a disk for real needs a small tmpfs, and mounting one needs root "
                    "(CI runs the tests as root)")
    path.mkdir(parents=True, exist_ok=True)
    done = _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path))
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill here ({done.stderr.strip()}): a "
                    "container needs CAP_SYS_ADMIN for it")
    try:
        yield TinyDisk(path)
    finally:
        # Lazily: a connection of the test's storage may still hold the study file open.
        subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=30)
