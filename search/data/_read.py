"""Reading the text and label columns of the user's file, cells as written (its other
columns are never held whole): CSV and TSV as text, ``CSV_CHUNK_ROWS`` rows at a time; JSON
Lines a line at a time with the standard ``json`` module (numbers stay what they were written
as); Parquet with nullable dtypes (an integer column with a blank cell stays integers). Every
reader's failure becomes a ``DataError`` naming the file, the format and what to check."""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from search._errors import DataError
from search._paths import input_file

log = logging.getLogger("hpsearch")

READERS = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".json": "jsonl",
           ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}
# Rows of a CSV or TSV file parsed at a time: its other columns are never held whole.
CSV_CHUNK_ROWS = 100_000
_FIX = {
    "csv": "Check that it is comma-separated text (UTF-8) with a header row, and that cells "
           "holding commas, quotes or line breaks are quoted.",
    "tsv": "Check that it is tab-separated text (UTF-8) with a header row.",
    "jsonl": "Each line of a JSON Lines file holds one object, like "
             '{"text": "...", "label": "..."}.',
    "parquet": "Check that it is a Parquet file (written by pandas.DataFrame.to_parquet or "
               "pyarrow).",
}


def _read_csv(path: Path, sep: str, dtype: dict[str, str]) -> tuple[pd.DataFrame, list[str]]:
    """The wanted columns (``dtype``'s) of a CSV or TSV file, read ``CSV_CHUNK_ROWS`` rows at
    a time (pandas' ``usecols`` would let a row with a cell too many pass unseen)."""
    quoting = csv.QUOTE_NONE if sep == "\t" else csv.QUOTE_MINIMAL
    with path.open(newline="", encoding="utf-8") as f:
        header = next(csv.reader(f, delimiter=sep), [])
    _warn_duplicates(path, [h.strip() for h in header])
    parts, columns = [], header
    with pd.read_csv(path, sep=sep, dtype=dtype, keep_default_na=False, na_values=[""],
                     quoting=quoting, chunksize=CSV_CHUNK_ROWS) as chunks:
        for chunk in chunks:
            columns = [str(c) for c in chunk.columns]
            parts.append(chunk.loc[:, [c for c in chunk.columns if c in dtype]])
    if not parts:
        return pd.DataFrame(columns=[c for c in columns if c in dtype]), columns
    return pd.concat(parts, ignore_index=True), columns


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


def _read_jsonl(path: Path, wanted: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """JSON Lines, a line at a time, each value as ``json`` parsed it: the ``wanted`` keys'
    values, and every key seen. A JSON array of objects is read whole."""
    duplicates: set[str] = set()
    hook = _keep_first(duplicates)
    with path.open(encoding="utf-8") as f:
        starts_as_array = f.read(4096).lstrip().startswith("[")
    records = (_array_records(path, hook) if starts_as_array
               else _line_records(path, hook))
    seen: dict[str, None] = {}
    columns: dict[str, list[Any]] = {key: [] for key in wanted}
    for record in records:
        seen.update(dict.fromkeys(record))
        for key, values in columns.items():
            values.append(record.get(key))
    if duplicates:
        log.warning("%s: key(s) %s appear twice in a record; the first of each is used",
                    path, ", ".join(map(repr, sorted(duplicates))))
    kept = [key for key in columns if key in seen]
    return (pd.DataFrame({key: pd.Series(columns[key], dtype=object) for key in kept}),
            list(seen))


def _array_records(path: Path, hook: Callable[[list[tuple[str, Any]]], dict[str, Any]],
                   ) -> Iterator[dict[str, Any]]:
    try:
        records = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=hook)
    except ValueError as exc:
        raise DataError(f"{str(path)!r} starts like a JSON array but is not valid JSON "
                        f"({exc}). {_FIX['jsonl']}") from None
    for number, record in enumerate(records if isinstance(records, list) else [records], 1):
        yield _object(record, repr(str(path)), "record", number)


def _line_records(path: Path, hook: Callable[[list[tuple[str, Any]]], dict[str, Any]],
                  ) -> Iterator[dict[str, Any]]:
    for number, line in numbered_lines(path):
        if line.strip():
            yield json_record(line, repr(str(path)), number, hook)


def numbered_lines(path: Path) -> Iterator[tuple[int, str]]:
    """The lines of a UTF-8 text file, numbered from 1."""
    with path.open(encoding="utf-8") as f:
        yield from enumerate(f, 1)


def json_record(line: str, where: str, number: int,
                hook: Callable[[list[tuple[str, Any]]], dict[str, Any]] | None = None,
                ) -> dict[str, Any]:
    """Line ``number`` of ``where`` (JSON Lines) as an object, or a ``DataError`` saying what
    it is instead; ``hook`` as ``json.loads``'s ``object_pairs_hook``."""
    try:
        record = json.loads(line, object_pairs_hook=hook)
    except ValueError as exc:
        raise DataError(f"{where} line {number} is not valid JSON ({exc}). "
                        f"{_FIX['jsonl']}") from None
    return _object(record, where, "line", number)


def _object(record: Any, where: str, unit: str, number: int) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise DataError(f"{where} {unit} {number} is {json.dumps(record)[:40]}, not an "
                        f"object. {_FIX['jsonl']}")
    return record


def _warn_duplicates(path: Path, columns: list[str]) -> None:
    twice = sorted({c for c in columns if columns.count(c) > 1})
    if twice:
        log.warning("%s has several columns named %s; the first (leftmost) of each is used. "
                    "Rename the others if they hold what you meant.", path,
                    ", ".join(map(repr, twice)))


def _read_parquet(path: Path, wanted: list[str]) -> tuple[pd.DataFrame, list[str]]:
    import pyarrow.parquet as pq

    names = [str(n) for n in pq.read_schema(path).names]
    _warn_duplicates(path, names)
    whole = not set(wanted) <= set(names) or len(set(names)) < len(names)
    frame = pd.read_parquet(path, columns=None if whole else wanted,
                            dtype_backend="numpy_nullable")
    return frame.loc[:, ~frame.columns.duplicated()], names


def _read(path: Path, fmt: str, as_text: dict[str, str]) -> tuple[pd.DataFrame, list[str]]:
    """The text and label columns (``as_text``'s keys) of the file, and every column's name:
    the other columns are not kept."""
    if fmt in ("csv", "tsv"):
        return _read_csv(path, "\t" if fmt == "tsv" else ",", as_text)
    if fmt == "jsonl":
        return _read_jsonl(path, list(as_text))
    return _read_parquet(path, list(as_text))


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
        frame, columns = _read(path, fmt, {text_col: "string", label_col: "string"})
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
                f"{', '.join(map(str, columns))}. Use --{role}-col to name it."
            )
    return frame
