"""From the user's table to texts and label sets, and the task they make.

The label rule (README, "Data"): each cell is parsed by ``_labels.parse_label_cell`` in every
format. Without ``--task``, the table is multi-label when some cell is a list of several labels,
or when at least ``MULTILABEL_MIN_SHARE`` of the labelled rows hold the separator. Fewer rows
holding it is refused: single labels whose names contain the separator cannot be told apart
from a few multi-label rows, so the user says which (``--task``). A single-label task keeps
each cell whole.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from search._errors import DataError
from search.data._labels import LISTED, SPLIT, named_labels, parse_label_cell, written_labels
from search.data._read import read_table
from spaces import Task
from spaces.features import MAX_TEXT_CHARS, prepare_texts

log = logging.getLogger("hpsearch")
# Below this share of labelled rows holding the separator, the task must be given.
MULTILABEL_MIN_SHARE = 0.05


@dataclass
class TextTable:
    """Texts and their label sets, with the 1-based data row each came from."""

    texts: list[str]
    labels: list[list[str]]
    rows: np.ndarray
    path: str
    dropped: int = 0
    multilabel: bool = False


def _row_list(rows: np.ndarray | list[int], limit: int = 10) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


def _parse_cells(cells: list[Any], sep: str | None, path: str) -> list[tuple[list[str], str]]:
    parsed = []
    forms: dict[str, set[str]] = defaultdict(set)  # a label's name -> the texts written
    for row, cell in enumerate(cells, 1):
        try:
            values, how = written_labels(cell, sep)
            parsed.append(named_labels(values, how))
        except ValueError as exc:
            raise DataError(f"{path!r} row {row}: {exc}. A label cell holds text, a number or "
                            "a list of them.") from None
        if how != SPLIT:  # spaces around a separator are a way of writing, not a label's
            for value in values:
                if isinstance(value, str):
                    forms[value.strip()].add(value)
    _warn_float_labels(cells, path)
    _say_trimmed(forms, path)
    return parsed


def _say_trimmed(forms: dict[str, set[str]], path: str) -> None:
    """Say which labels written with spaces around them joined the class of their trimmed
    text (``'spam '`` and ``'spam'`` are one class, ``spam``): a label is its text, trimmed."""
    merged = sorted(name for name, written in forms.items() if name and len(written) > 1)
    if merged:
        shown = "; ".join(_listed(sorted(map(repr, forms[name]))) + f" are the class {name!r}"
                          for name in merged[:5])
        log.info("%s: labels are trimmed, so labels written with spaces around them join the "
                 "class of their text: %s%s", path, shown, "; ..." if len(merged) > 5 else "")


def _listed(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1]


def _warn_float_labels(cells: list[Any], path: str) -> None:
    floats = sorted({c for c in cells if isinstance(c, float) and c == c})
    if floats and all(f.is_integer() for f in floats):
        log.warning("the labels of %s are stored as floats (%s), so they are named %s as "
                    "written. pandas stores an integer column with a blank cell as floats: if "
                    "they are class ids, write the column as integers or text.", path,
                    ", ".join(map(repr, floats[:5])), repr(repr(floats[0])))


def _is_multilabel(parsed: list[tuple[list[str], str]], task: Task | None, sep: str,
                   path: str) -> bool:
    """Whether the labels are multi-label (see the module's rule)."""
    if task is not None:
        return task is Task.MULTILABEL
    if any(how == LISTED and len(names) > 1 for names, how in parsed):
        return True
    split = [row for row, (names, how) in enumerate(parsed, 1) if how == SPLIT]
    labelled = sum(1 for names, _ in parsed if names)
    if not split or len(split) >= MULTILABEL_MIN_SHARE * labelled:
        return bool(split)
    examples = ", ".join(repr(sep.join(parsed[r - 1][0])) for r in split[:3])
    raise DataError(
        f"{path!r}: {len(split)} of {labelled} labelled rows ({len(split) / labelled:.1%}) hold "
        f"the label separator {sep!r} (rows {_row_list(split)}: {examples}). So few cannot "
        "tell a multi-label table from single labels whose names contain it. Pass --task "
        "multilabel if these rows carry several labels, or --task multiclass (or binary) to "
        "keep each cell whole as one label; --label-sep changes the separator."
    )


def load_table(path: str | Path, *, text_col: str = "text", label_col: str = "label",
               label_sep: str = "|", task: Task | None = None, drop_invalid: bool = False,
               multilabel: bool | None = None) -> TextTable:
    """Texts and label sets. Empty texts, and missing labels in a single-label table, are an
    error naming the rows, unless ``drop_invalid``; a multi-label row may have no label.
    ``multilabel`` imposes the decision made on another file (the training file, for
    ``--val-data``)."""
    frame = read_table(path, text_col, label_col)
    where = str(path)
    texts = frame[text_col].astype("string").fillna("")  # as written: see prepare_texts
    cells = frame[label_col].tolist()
    parsed = _parse_cells(cells, label_sep, where)
    if multilabel is None:
        multilabel = _is_multilabel(parsed, task, label_sep, where)
    if not multilabel:  # one label per cell: the separator splits nothing
        parsed = [parse_label_cell(c, None) if how == SPLIT else (names, how)
                  for c, (names, how) in zip(cells, parsed, strict=True)]
    sets = [names for names, _ in parsed]
    rows = np.arange(1, len(frame) + 1)
    empty_text = (texts.str.strip() == "").to_numpy()
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
            f"{where!r}: " + "; ".join(problems) + ". Rows are numbered from 1, header not "
            "counted. Fix the data, or pass --drop-invalid to skip these rows."
        )
    keep = ~bad
    kept, cut = prepare_texts([str(t) for t, k in zip(texts.tolist(), keep, strict=True) if k])
    table = TextTable(
        texts=kept,
        labels=[s for s, k in zip(sets, keep, strict=True) if k],
        rows=rows[keep], path=where, dropped=int(bad.sum()), multilabel=multilabel,
    )
    if not table.texts:
        raise DataError(f"{where!r} has no usable rows left: --drop-invalid skipped all "
                        f"{table.dropped}. Run without it to see which rows and why.")
    if len(cut):
        longest = int(texts.iloc[table.rows[cut] - 1].str.len().max())
        log.warning("%s: %d text(s) longer than %s characters are cut to their first %s (rows "
                    "%s; the longest had %s), so that one text cannot set the memory of a run. "
                    "The exported model reads whole texts.", where, len(cut),
                    f"{MAX_TEXT_CHARS:,}", f"{MAX_TEXT_CHARS:,}", _row_list(table.rows[cut]),
                    f"{longest:,}")
    return table


def detect_task(table: TextTable, forced: Task | None = None) -> tuple[Task, list[str]]:
    """The task and the class names in output order (sorted)."""
    classes = sorted({label for labels in table.labels for label in labels})
    if forced is Task.MULTILABEL or (forced is None and table.multilabel):
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
    if forced is Task.MULTILABEL and not any(len(s) > 1 for s in table.labels):
        log.warning("--task multilabel, but no row of %s has more than one label: a "
                    "multi-class model (--task multiclass, or no --task) fits one label per "
                    "row better", table.path)
    return task, classes
