"""Sizes in bytes as people write them: ``500MB``, ``2GB``, ``1.5GiB`` or a plain number."""

from __future__ import annotations

import re

# Decimal units as disks are sold and df -H prints them; binary ones with an i (df -h).
_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9,
          "gb": 10**9, "t": 10**12, "tb": 10**12, "kib": 2**10, "mib": 2**20, "gib": 2**30,
          "tib": 2**40}
_WRITTEN = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-zA-Z]*)\s*")


class ByteSize(int):
    """A number of bytes that reads and prints as a size (``ByteSize.parse("2GB")``,
    ``str(ByteSize(2 * 10**9)) == "2GB"``); stored as the plain integer."""

    @classmethod
    def parse(cls, written: str | int) -> ByteSize:
        """``written`` as bytes: an integer, or a number with a unit (B, KB, MB, GB, TB: powers
        of 1000; KiB, MiB, GiB, TiB: of 1024; case ignored). ValueError names what it got."""
        if isinstance(written, int):
            return cls(written)
        found = _WRITTEN.fullmatch(written)
        unit = found and _UNITS.get(found.group(2).lower())
        if not found or unit is None:
            raise ValueError(f"{written!r} is not a size: write a number of bytes with a unit, "
                             "like 500MB, 2GB or 1.5GiB.")
        return cls(round(float(found.group(1)) * unit))

    def __str__(self) -> str:
        """The shortest exact way to write it (``2GB``, ``1536MiB``, ``123B``)."""
        for unit in ("TB", "TiB", "GB", "GiB", "MB", "MiB", "KB", "KiB"):
            scale = _UNITS[unit.lower()]
            if self and self % scale == 0:
                return f"{self // scale}{unit}"
        return f"{int(self)}B"

    def __repr__(self) -> str:
        return f"ByteSize({int(self)})"


def format_size(size: int) -> str:
    """A size for people to read, three digits at most: ``38.2 MB``, ``1.4 GB``, ``512 B``."""
    for unit, scale in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            shown = size / scale
            return f"{shown:.0f} {unit}" if shown >= 100 else f"{shown:.3g} {unit}"
    return f"{size} B"
