"""What identifies a study's data: the file's bytes and every option that shapes the split."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from search.options import DataOptions

# Options added after studies were first fingerprinted: they enter only when set, so the
# studies made before them keep their fingerprint (and resume).
_ONLY_WHEN_SET = ("positive_label",)


def _file_digest(path: str | Path) -> Any:
    """The running sha256 of the file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest


def file_sha256(path: str | Path) -> str:
    """sha256 of the file's bytes (how the exported script knows the study's data file)."""
    return _file_digest(path).hexdigest()


def fingerprint(path: str | Path, options: dict[str, Any]) -> str:
    """sha256 of the file's bytes and of ``options``."""
    digest = _file_digest(path)
    digest.update(json.dumps(options, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def data_fingerprint(path: Path, options: DataOptions) -> str:
    """The fingerprint of the data file under every data option; a validation file enters by
    its own bytes, not its name."""
    shaping = options.to_dict()
    for name in _ONLY_WHEN_SET:
        if shaping[name] is None:
            del shaping[name]
    val_data = options.val_data
    if val_data is not None:
        shaping["val_data"] = fingerprint(val_data, {}) if val_data.is_file() else None
    return fingerprint(path, shaping)
