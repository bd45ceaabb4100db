"""Label cells to targets. Copied into exported scripts: imports only numpy and pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd


def label_sets(cells, sep):
    """Each cell as a list of label names: lists stay lists, strings split on ``sep``,
    missing or blank cells give an empty list."""
    out = []
    for cell in cells:
        if isinstance(cell, (list, tuple, np.ndarray)):
            out.append([str(v).strip() for v in cell if str(v).strip()])
        elif cell is None or (isinstance(cell, float) and np.isnan(cell)) or pd.isna(cell):
            out.append([])
        else:
            text = str(cell).strip()
            parts = text.split(sep) if sep and sep in text else [text]
            out.append([p.strip() for p in parts if p.strip()])
    return out


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
