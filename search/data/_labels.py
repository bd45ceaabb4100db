"""Label cells to label names and targets: the one label parser, used for every file format.

The rule: a label is the text the user wrote. A cell is missing (no label), a list (a JSON
list ``["x", "y"]`` written in any format, or a list value in JSON Lines or Parquet), or text
split on the separator (``sep``; ``None`` keeps the cell whole). Numbers are named as written:
``0`` stays ``"0"`` even when a blank cell makes pandas store the column as floats, and a float
keeps its shortest form (``0.5``, ``1.0``).

Copied into exported scripts: imports only the standard library, numpy and pandas.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

MISSING, ONE, LISTED, SPLIT = "missing", "one", "listed", "split"


def label_name(value):
    """One label as the user wrote it: text stripped, integers without ``.0``, floats in
    their shortest form, booleans as JSON writes them."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, str):
        return value.strip()
    raise ValueError(f"a label must be text or a number, but got {value!r}")


def _is_missing(cell):
    if cell is None or cell is pd.NA or cell is pd.NaT:
        return True
    return isinstance(cell, (float, np.floating)) and bool(np.isnan(cell))


def _json_list(text):
    """The list a cell written as a JSON list holds, or None when it is not one."""
    if not (text.startswith("[") and text.endswith("]")):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None  # "[draft]" is a label, not a broken list
    return value if isinstance(value, list) else None


def written_labels(cell, sep):
    """(the labels of a cell as written, before they are named: a whole text cell with its
    spaces; how the cell was written: MISSING, ONE, LISTED or SPLIT)."""
    if isinstance(cell, (list, tuple, np.ndarray)):
        values, how = list(cell), LISTED
    elif _is_missing(cell):
        return [], MISSING
    elif isinstance(cell, str):
        text = cell.strip()
        listed = _json_list(text)
        if listed is not None:
            values, how = listed, LISTED
        elif sep and sep in text:
            values, how = text.split(sep), SPLIT
        else:
            values, how = [cell], ONE
    else:
        values, how = [cell], ONE
    return [v for v in values if not _is_missing(v)], how


def named_labels(values, how):
    """(label names of the values ``written_labels`` found, how the cell was written)."""
    names = [n for n in (label_name(v) for v in values) if n]
    return names, (MISSING if not names else how)


def parse_label_cell(cell, sep):
    """(label names, how the cell was written: MISSING, ONE, LISTED or SPLIT)."""
    return named_labels(*written_labels(cell, sep))


def label_sets(cells, sep):
    """Each cell as a list of label names (see ``parse_label_cell``); ``sep=None`` splits
    nothing, as for a single-label task."""
    return [parse_label_cell(cell, sep)[0] for cell in cells]


def encode_labels(sets, task, classes):
    """Targets in output order: class indices (single-label) or a 0/1 matrix (multi-label)."""
    index = {c: i for i, c in enumerate(classes)}
    if task == "multilabel":
        y = np.zeros((len(sets), len(classes)), dtype="float32")
        for row, labels in enumerate(sets):
            for label in labels:
                if label in index:
                    y[row, index[label]] = 1.0
        return y
    return np.array([index[labels[0]] for labels in sets], dtype="int64")
