"""Where predictions go, a batch at a time: CSV on standard output, or a file whose suffix says
its format (CSV, TSV, JSON Lines, Parquet: what ``create`` reads). A file is written beside its
place under a temporary name and moved there when every row is in, so a run that fails leaves no
half-written predictions."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from search._errors import PathError
from search._paths import output_file
from search.data import READERS

Write = Callable[[pd.DataFrame], None]


def check_output(out: Path | None) -> str:
    """The format of ``out`` by its suffix (``csv`` for standard output), if a file may be
    written there; else why not."""
    if out is None:
        return "csv"
    fmt = READERS.get(out.suffix.lower())
    if fmt is None:
        raise PathError(f"Cannot tell the format to write {str(out)!r} in from its suffix "
                        f"{out.suffix!r}. Name it with one of: {', '.join(sorted(READERS))}; or "
                        "leave --out out for CSV on standard output.")
    output_file(out, "Predictions file (--out)")
    return fmt


@contextlib.contextmanager
def prediction_writer(out: Path | None, stdout: TextIO | None = None) -> Iterator[Write]:
    """A function that appends a frame of predictions (the same columns each time) to ``out``
    (``stdout``, default ``sys.stdout``, when None); the file is in place when the block
    ends without error."""
    fmt = check_output(out)
    if out is None:
        yield _text_writer(stdout or sys.stdout, fmt)
        return
    part = out.with_name(f".{out.name}.part")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot_write(out, exc) from None
    try:
        if fmt == "parquet":
            with _parquet_writer(part) as write:
                yield write
        else:
            with _create(part, out) as stream:
                yield _text_writer(stream, fmt)
        try:
            os.replace(part, out)
        except OSError as exc:
            raise _cannot_write(out, exc) from None
    finally:
        part.unlink(missing_ok=True)


@contextlib.contextmanager
def _create(part: Path, out: Path) -> Iterator[TextIO]:
    try:
        stream = part.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise _cannot_write(out, exc) from None
    with stream:
        yield stream


def _cannot_write(out: Path, exc: OSError) -> PathError:
    return PathError(f"Could not write the predictions to {str(out)!r}: "
                     f"{exc.strerror or exc}. Choose another path.")


def _text_writer(stream: TextIO, fmt: str) -> Write:
    first = [True]

    def write(frame: pd.DataFrame) -> None:
        if fmt == "jsonl":
            for record in frame.to_dict(orient="records"):
                stream.write(json.dumps({k: _plain(v) for k, v in record.items()},
                                        ensure_ascii=False) + "\n")
        else:
            frame.to_csv(stream, sep="\t" if fmt == "tsv" else ",", header=first[0],
                         index=False, lineterminator="\n")
        first[0] = False
        stream.flush()

    return write


@contextlib.contextmanager
def _parquet_writer(path: Path) -> Iterator[Write]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    holder: list[Any] = []

    def write(frame: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if not holder:
            holder.append(pq.ParquetWriter(path, table.schema))
        holder[0].write_table(table)

    try:
        yield write
    finally:
        if holder:
            holder[0].close()


def _plain(value: Any) -> Any:
    """A float32 probability as its shortest decimal (0.9, not 0.8999999761581421)."""
    if isinstance(value, float):
        import numpy as np

        return float(str(np.float32(value)))
    return value
