"""The texts of a file, a batch at a time, for a model to label: any format ``create`` reads
(its text column only, read in chunks, so a file of any length takes the memory of one batch),
or standard input (``-``): JSON Lines when its first line is a JSON object, else one text per
line. Texts are read as the study reads them (``load_table``): as written, a missing cell an
empty text, a number its written form. The checks a file can fail before its
first row (missing, unreadable format, no such column) run when the reader is made, so no
output is begun for a file that cannot be read."""

from __future__ import annotations

import csv
import itertools
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from search._errors import DataError
from search._paths import input_file
from search.data._read import _FIX, json_record, numbered_lines, table_format
from spaces.features import MAX_TEXT_CHARS

STDIN = "-"  # --data - reads standard input


def text_chunks(source: str | Path, text_col: str, size: int,
                stdin: TextIO | None = None) -> Iterator[list[str]]:
    """The texts of ``source`` in file order, ``size`` at a time (the last batch shorter).
    ``source`` is a file path, or ``-`` for ``stdin`` (default: ``sys.stdin``)."""
    if size < 1:
        raise ValueError(f"`size >= 1` must hold, but got {size=}.")
    if str(source) == STDIN:
        return _batches(_stdin_texts(stdin or sys.stdin, text_col), size)
    path = input_file(source, "Data file", DataError)
    fmt = table_format(path, ", or - for standard input")
    if fmt in ("csv", "tsv"):
        return _csv_chunks(path, "\t" if fmt == "tsv" else ",", text_col, size)
    if fmt == "parquet":
        return _parquet_chunks(path, text_col, size)
    with path.open(encoding="utf-8") as f:
        starts_as_array = f.read(4096).lstrip().startswith("[")
    if starts_as_array:  # a JSON array is read whole: its first record ends where it ends
        return _batches(_array_texts(path, text_col), size)
    return _batches(_jsonl_texts(numbered_lines(path), text_col, repr(str(path))), size)


def clean_text(value: Any) -> str:
    """A text cell as the study reads its texts: as written, cut at
    ``spaces.features.MAX_TEXT_CHARS`` as the study's were; missing is empty, a number its
    written form."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return (value if isinstance(value, str) else str(value))[:MAX_TEXT_CHARS]


def _batches(texts: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(texts)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _no_column(where: str, text_col: str, columns: Iterable[Any]) -> DataError:
    return DataError(f"{where} has no text column {text_col!r}. Columns: "
                     f"{', '.join(map(str, columns))}. Use --text-col to name it.")


def _csv_chunks(path: Path, sep: str, text_col: str, size: int) -> Iterator[list[str]]:
    quoting = csv.QUOTE_NONE if sep == "\t" else csv.QUOTE_MINIMAL
    fmt = "tsv" if sep == "\t" else "csv"
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:  # as pandas: no BOM
            header = next(csv.reader(f, delimiter=sep, quoting=csv.QUOTE_NONE if sep == "\t"
                                     else csv.QUOTE_MINIMAL), [])
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"Could not read {str(path)!r} as {fmt}: {exc}. {_FIX[fmt]}") from None
    if text_col not in header:
        raise _no_column(repr(str(path)), text_col, header)

    def chunks() -> Iterator[list[str]]:
        try:
            with pd.read_csv(path, sep=sep, usecols=[text_col], dtype={text_col: "string"},
                             keep_default_na=False, na_values=[""], quoting=quoting,
                             chunksize=size) as reader:
                for chunk in reader:
                    yield [clean_text(v) for v in chunk[text_col].tolist()]
        except (ValueError, OSError) as exc:  # a malformed row: pandas' ParserError
            said = str(exc).strip().splitlines()[0].rstrip(".") if str(exc).strip() else \
                type(exc).__name__
            raise DataError(f"Could not read {str(path)!r} as {fmt}: {said}. "
                            f"{_FIX[fmt]}") from None

    return chunks()


def _parquet_chunks(path: Path, text_col: str, size: int) -> Iterator[list[str]]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise DataError(f"Could not read {str(path)!r} as parquet: {exc}. "
                        f"{_FIX['parquet']}") from None
    names = parquet.schema_arrow.names
    if text_col not in names:
        raise _no_column(repr(str(path)), text_col, names)

    def chunks() -> Iterator[list[str]]:
        with parquet:
            for batch in parquet.iter_batches(batch_size=size, columns=[text_col]):
                yield [clean_text(v) for v in batch.column(0).to_pylist()]

    return chunks()


def _jsonl_texts(lines: Iterable[tuple[int, str]], text_col: str, where: str,
                 ) -> Iterator[str]:
    """The texts of JSON Lines; the first record must hold the text key (a later one without
    it is an empty text, as in a table whose cell is missing)."""
    first = True
    for number, line in lines:
        if not line.strip():
            continue
        record = json_record(line, where, number)
        if first and text_col not in record:
            raise _no_column(f"{where} line {number}", text_col, record)
        first = False
        yield clean_text(record.get(text_col))


def _array_texts(path: Path, text_col: str) -> Iterator[str]:
    from search.data._read import _read_jsonl

    frame, columns = _read_jsonl(path, [text_col])
    if text_col not in frame.columns:
        raise _no_column(repr(str(path)), text_col, columns)
    return iter([clean_text(v) for v in frame[text_col].tolist()])


def _stdin_texts(stream: TextIO, text_col: str) -> Iterator[str]:
    """JSON Lines when the first line that is not blank is a JSON object, else one text a
    line (blank lines included: the output keeps one row per input line)."""
    lines = enumerate(stream, 1)
    peeked: list[tuple[int, str]] = []
    for number, line in lines:
        peeked.append((number, line))
        if line.strip():
            break
    head = peeked[-1][1].strip() if peeked else ""
    if head.startswith("{") and _is_object(head):
        return _jsonl_texts(itertools.chain(peeked, lines), text_col, "standard input")
    if not head:  # empty, or blank lines only: no text at all
        return iter(())
    return (line.rstrip("\r\n") for _, line in itertools.chain(peeked, lines))


def _is_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False
