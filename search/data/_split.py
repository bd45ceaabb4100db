"""Seeded, stratified train/validation splits. Copied into exported scripts: numpy only."""

from __future__ import annotations

import numpy as np


def split_indices(y, task, val_frac, seed):
    """(train, validation) row indices. Single-label: every class with at least two rows is
    in both parts in proportion; a class with one row stays in training. Multi-label:
    iterative stratification (Sechidis et al., 2011), label by label, rarest first."""
    rng = np.random.default_rng(seed)
    if task == "multilabel":
        val = _iterative(np.asarray(y) > 0, val_frac, rng)
    else:
        y = np.asarray(y)
        val_parts = []
        for cls in np.unique(y):
            rows = rng.permutation(np.flatnonzero(y == cls))
            if len(rows) < 2:
                continue
            n_val = min(max(int(round(val_frac * len(rows))), 1), len(rows) - 1)
            val_parts.append(rows[:n_val])
        val = np.zeros(len(y), dtype=bool)
        if val_parts:
            val[np.concatenate(val_parts)] = True
    return np.flatnonzero(~val), np.flatnonzero(val)


# The share of the validation rows held out of every choice (trial ranking, best epoch,
# temperature, thresholds, the ensemble): the answer's honest estimate is measured on them.
HELD_FRAC = 0.5


def held_split(y_val, task, seed):
    """(choosing, held) indices of the validation rows, stratified as ``split_indices``."""
    return split_indices(y_val, task, HELD_FRAC, seed + 1)


def _iterative(y, val_frac, rng):
    n, n_labels = y.shape
    fractions = np.array([1.0 - val_frac, val_frac])
    want_rows = fractions * n
    want_label = np.outer(fractions, y.sum(axis=0)).astype("float64")
    part = np.full(n, -1)
    left = y.copy()
    while True:
        counts = left.sum(axis=0)
        if not counts.any():
            break
        label = int(np.argmin(np.where(counts > 0, counts, np.iinfo(np.int64).max)))
        for row in rng.permutation(np.flatnonzero(left[:, label])):
            need = want_label[:, label]
            best = np.flatnonzero(need == need.max())
            if len(best) > 1:
                best = best[want_rows[best] == want_rows[best].max()]
            j = int(rng.choice(best))
            part[row] = j
            want_rows[j] -= 1
            want_label[j] -= y[row]
            left[row] = False
    for row in rng.permutation(np.flatnonzero(part < 0)):
        j = int(np.argmax(want_rows))
        part[row] = j
        want_rows[j] -= 1
    return part == 1
