"""Reading the user's file into a table of cells as written: CSV and TSV as text, JSON Lines
with the standard ``json`` module (numbers stay what they were written as), Parquet with
nullable dtypes (an integer column with a blank cell stays integers). Every reader's failure
becomes a ``DataError`` naming the file, the format and what to check."""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from search._errors import DataError
from search._paths import input_file

log = logging.getLogger("hpsearch")

READERS = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".json": "jsonl",
           ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}
_FIX = {
    "csv": "Check that it is comma-separated text (UTF-8) with a header row, and that cells "
           "holding commas, quotes or line breaks are quoted.",
    "tsv": "Check that it is tab-separated text (UTF-8) with a header row.",
    "jsonl": "Each line of a JSON Lines file holds one object, like "
             '{"text": "...", "label": "..."}.',
    "parquet": "Check that it is a Parquet file (written by pandas.DataFrame.to_parquet or "
               "pyarrow).",
}


def _read_csv(path: Path, sep: str, dtype: dict[str, str]) -> pd.DataFrame:
    quoting = csv.QUOTE_NONE if sep == "\t" else csv.QUOTE_MINIMAL
    frame = pd.read_csv(path, sep=sep, dtype=dtype, keep_default_na=False, na_values=[""],
                        quoting=quoting)
    with path.open(newline="", encoding="utf-8") as f:
        header = next(csv.reader(f, delimiter=sep), [])
    _warn_duplicates(path, [h.strip() for h in header])
    return frame


def _keep_first(duplicates: set[str]) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key, value in items:
            if key in found:
                duplicates.add(key)
            else:
                found[key] = value
        return found

    return pairs


def _read_jsonl(path: Path) -> pd.DataFrame:
    """JSON Lines (a JSON array of objects is read too), each value as ``json`` parsed it."""
    duplicates: set[str] = set()
    hook = _keep_first(duplicates)
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        try:
            records = json.loads(text, object_pairs_hook=hook)
        except ValueError as exc:
            raise DataError(f"{str(path)!r} starts like a JSON array but is not valid JSON "
                            f"({exc}). {_FIX['jsonl']}") from None
        numbered = list(enumerate(records if isinstance(records, list) else [records], 1))
    else:
        numbered = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                numbered.append((number, json.loads(line, object_pairs_hook=hook)))
            except ValueError as exc:
                raise DataError(f"{str(path)!r} line {number} is not valid JSON ({exc}). "
                                f"{_FIX['jsonl']}") from None
    for number, record in numbered:
        if not isinstance(record, dict):
            raise DataError(f"{str(path)!r} record {number} is {json.dumps(record)[:40]}, "
                            f"not an object. {_FIX['jsonl']}")
    if duplicates:
        log.warning("%s: key(s) %s appear twice in a record; the first of each is used",
                    path, ", ".join(map(repr, sorted(duplicates))))
    records = [record for _, record in numbered]
    columns = list(dict.fromkeys(key for record in records for key in record))
    return pd.DataFrame({c: pd.Series([r.get(c) for r in records], dtype=object)
                         for c in columns})


def _warn_duplicates(path: Path, columns: list[str]) -> None:
    twice = sorted({c for c in columns if columns.count(c) > 1})
    if twice:
        log.warning("%s has several columns named %s; the first (leftmost) of each is used. "
                    "Rename the others if they hold what you meant.", path,
                    ", ".join(map(repr, twice)))


def _read(path: Path, fmt: str, as_text: dict[str, str]) -> pd.DataFrame:
    if fmt in ("csv", "tsv"):
        return _read_csv(path, "\t" if fmt == "tsv" else ",", as_text)
    if fmt == "jsonl":
        return _read_jsonl(path)
    frame = pd.read_parquet(path, dtype_backend="numpy_nullable")
    _warn_duplicates(path, [str(c) for c in frame.columns])
    return frame.loc[:, ~frame.columns.duplicated()]


def table_format(path: Path, also: str = "") -> str:
    """The format of the table at ``path`` by its suffix; refused when unknown or empty.
    ``also``: what else is accepted, for the message (", or - for standard input")."""
    fmt = READERS.get(path.suffix.lower())
    if fmt is None:
        raise DataError(
            f"Cannot tell the format of {str(path)!r} from its suffix {path.suffix!r}. "
            f"Supported: {', '.join(sorted(READERS))}{also}; rename the file to one of them."
        )
    if path.stat().st_size == 0:
        raise DataError(f"{str(path)!r} is empty (0 bytes). Give a file with a header row and "
                        "data rows.")
    return fmt


def read_table(path: str | Path, text_col: str, label_col: str) -> pd.DataFrame:
    """The table of ``path`` (format by suffix) with its text and label columns, each cell as
    written; refused with the rule and the fix when it cannot be read or lacks a column."""
    path = input_file(path, "Data file", DataError)
    fmt = table_format(path)
    try:
        frame = _read(path, fmt, {text_col: "string", label_col: "string"})
    except (ValueError, OSError, ImportError) as exc:  # pandas/pyarrow: many kinds of both
        said = str(exc).strip().splitlines()[0].rstrip(".") if str(exc).strip() else \
            type(exc).__name__
        raise DataError(f"Could not read {str(path)!r} as {fmt}: {said}. {_FIX[fmt]}") from None
    if frame.empty:
        raise DataError(f"{str(path)!r} has no data rows.")
    for role, col in (("text", text_col), ("label", label_col)):
        if col not in frame.columns:
            raise DataError(
                f"{str(path)!r} has no {role} column {col!r}. Columns: "
                f"{', '.join(map(str, frame.columns))}. Use --{role}-col to name it."
            )
    return frame
