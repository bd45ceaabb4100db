"""Where a SQLite study file lies, and whether that file system can be shared safely."""

from __future__ import annotations

import os
from pathlib import Path

# File systems that other machines mount: SQLite's locks are unreliable on them, so workers on
# several machines would corrupt or lock the study.
NETWORK_FILESYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "afs", "ceph", "glusterfs", "fuse.glusterfs",
    "lustre", "gpfs", "beegfs", "fuse.sshfs", "fuse.s3fs", "fuse.gcsfuse", "fuse.rclone",
    "davfs", "fuse.davfs2", "fuse.juicefs", "fuse.cephfs",
})


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///path`` URL (None for an in-memory database or another URL)."""
    if not url.startswith("sqlite"):
        return None
    _, sep, rest = url.partition(":///")
    path = rest.split("?", 1)[0]
    if not sep or not path or path == ":memory:":
        return None
    return Path(path)


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
