"""Reading the user's table, and refusing what cannot work before any trial starts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from search._errors import DataError
from search.data._labels import label_sets
from spaces import Task

READERS = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".json": "jsonl",
           ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}


@dataclass
class TextTable:
    """Texts and their label sets, with the 1-based data row each came from."""

    texts: list[str]
    labels: list[list[str]]
    rows: np.ndarray
    path: str
    dropped: int = 0


def read_table(path: str | Path, text_col: str, label_col: str) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise DataError(f"Data file {str(path)!r} does not exist.")
    fmt = READERS.get(path.suffix.lower())
    if fmt is None:
        raise DataError(
            f"Cannot tell the format of {str(path)!r} from its suffix {path.suffix!r}. "
            f"Supported: {', '.join(sorted(READERS))}."
        )
    as_text = {text_col: "string", label_col: "string"}
    try:
        if fmt == "csv":
            frame = pd.read_csv(path, dtype=as_text, keep_default_na=False, na_values=[""])
        elif fmt == "tsv":
            frame = pd.read_csv(path, sep="\t", dtype=as_text, keep_default_na=False,
                                na_values=[""], quoting=3)
        elif fmt == "jsonl":
            frame = pd.read_json(path, lines=True, dtype=False)
        else:
            frame = pd.read_parquet(path)
    except Exception as exc:  # pandas raises many types for unreadable files
        raise DataError(f"Could not read {str(path)!r} as {fmt}: {exc}") from None
    if frame.empty:
        raise DataError(f"{str(path)!r} has no data rows.")
    for role, col in (("text", text_col), ("label", label_col)):
        if col not in frame.columns:
            raise DataError(
                f"{str(path)!r} has no {role} column {col!r}. Columns: "
                f"{', '.join(map(str, frame.columns))}. Use --{role}-col to name it."
            )
    return frame


def _row_list(rows: np.ndarray, limit: int = 10) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


def load_table(path: str | Path, *, text_col: str = "text", label_col: str = "label",
               label_sep: str = "|", task: Task | None = None,
               drop_invalid: bool = False) -> TextTable:
    """Texts and label sets. Empty texts, and missing labels in a single-label table, are an
    error naming the rows, unless ``drop_invalid``; a multi-label row may have no label."""
    frame = read_table(path, text_col, label_col)
    texts = frame[text_col].astype("string").fillna("").str.strip()
    sets = label_sets(frame[label_col].tolist(), label_sep)
    multilabel = task is Task.MULTILABEL or (
        task is None and any(len(s) > 1 for s in sets))
    rows = np.arange(1, len(frame) + 1)
    empty_text = (texts == "").to_numpy()
    no_label = np.array([len(s) == 0 for s in sets]) & (not multilabel)
    several = np.array([len(s) > 1 for s in sets]) & (not multilabel)
    problems = []
    if empty_text.any():
        problems.append(f"{int(empty_text.sum())} empty text(s) in rows "
                        f"{_row_list(rows[empty_text])}")
    if no_label.any():
        problems.append(f"{int(no_label.sum())} missing label(s) in rows "
                        f"{_row_list(rows[no_label])}")
    if several.any():
        problems.append(
            f"{int(several.sum())} row(s) with several labels in a single-label task, rows "
            f"{_row_list(rows[several])} (use --task multilabel)")
    bad = empty_text | no_label | several
    if problems and not drop_invalid:
        raise DataError(
            f"{str(path)!r}: " + "; ".join(problems) + ". Rows are numbered from 1, header not "
            "counted. Fix the data, or pass --drop-invalid to skip these rows."
        )
    keep = ~bad
    table = TextTable(
        texts=[str(t) for t, k in zip(texts.tolist(), keep, strict=True) if k],
        labels=[s for s, k in zip(sets, keep, strict=True) if k],
        rows=rows[keep],
        path=str(path),
        dropped=int(bad.sum()),
    )
    if not table.texts:
        raise DataError(f"{str(path)!r} has no usable rows left.")
    return table


def detect_task(table: TextTable, forced: Task | None = None) -> tuple[Task, list[str]]:
    """The task and the class names in output order (sorted)."""
    classes = sorted({label for labels in table.labels for label in labels})
    if forced is Task.MULTILABEL or (forced is None and any(len(s) > 1 for s in table.labels)):
        task = Task.MULTILABEL
    elif forced is not None:
        task = forced
    else:
        task = Task.BINARY if len(classes) == 2 else Task.MULTICLASS
    if len(classes) < 2 and task is not Task.MULTILABEL:
        raise DataError(
            f"{table.path!r} has a single class ({classes[0] if classes else 'none'!r}); a "
            "classifier needs at least two. Check --label-col, or add rows of other classes."
        )
    if task is Task.BINARY and len(classes) != 2:
        raise DataError(
            f"--task binary needs exactly two classes, but {table.path!r} has {len(classes)}: "
            f"{', '.join(classes[:10])}. Use --task multiclass."
        )
    if task is Task.MULTILABEL and not classes:
        raise DataError(f"{table.path!r}: every row has no label; nothing to learn.")
    return task, classes
