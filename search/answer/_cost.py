"""What refitting the answer costs, known before the search ends: a worker keeps that much
time before its deadline. Light: a worker loads it at start."""

from __future__ import annotations

from typing import Any

import optuna

from search.metrics import TrialAttr
from search.training import FIT_BYTES, TIME_POWER, over_fit_bytes
from spaces.features import StudyData

# Seconds a refit takes besides fitting: building and saving the model (``hpsearch run``
# refits in the worker's process, with TensorFlow loaded and every row encoded already).
REFIT_OVERHEAD_S = 3.0


def refit_seconds(study: optuna.Study, members: list[dict[str, Any]], data: StudyData) -> float:
    """About how long refitting ``members`` on every row takes, and the overhead: a member
    grown by rungs of rows, the seconds of its last rung scaled as the rungs scale
    (``TIME_POWER``); another, its training time here times the square of the rows' growth (a
    solver's time grows faster than its rows: 1.25 times the rows took 1.8 times as long on
    fortunes.csv)."""
    trials = {t.number: t for t in study.get_trials(deepcopy=False)}
    return REFIT_OVERHEAD_S + sum(_member_seconds(trials[m["trial"]].user_attrs, data)
                                  for m in members)


def _member_seconds(attrs: dict[str, Any], data: StudyData) -> float:
    rows = attrs.get(TrialAttr.ROWS)
    if rows:
        return float(attrs.get(TrialAttr.ROWS_SECONDS) or 0.0) * (
            data.n_rows / int(rows)) ** TIME_POWER
    scale = (data.n_rows / max(len(data.train_texts), 1)) ** 2
    fitting = float(attrs.get(TrialAttr.TRAIN_SECONDS) or 0.0) - float(
        attrs.get(TrialAttr.SHARED_SECONDS) or 0.0)  # the rows it encoded stay encoded
    return scale * max(fitting, 0.0)


def refit_memory_problem(study: optuna.Study, members: list[dict[str, Any]],
                         data: StudyData) -> str | None:
    """Why refitting ``members`` on every row would hold more than a fit may (``FIT_BYTES``),
    or None: what a fit holds grows with its rows."""
    found = refit_too_big(study, members, data)
    if found is None:
        return None
    trial, held = found
    return (f"not refitted on every row: trial {trial}'s fit over all {data.n_rows} rows would "
            f"hold {over_fit_bytes(held)}")


def refit_too_big(study: optuna.Study, members: list[dict[str, Any]],
                  data: StudyData) -> tuple[int, float] | None:
    """The first of ``members`` whose fit over every row would hold more than ``FIT_BYTES``,
    and the bytes it would hold; None when each fits."""
    trials = {t.number: t for t in study.get_trials(deepcopy=False)}
    for member in members:
        row_bytes = trials[member["trial"]].user_attrs.get(TrialAttr.ROW_BYTES)
        if row_bytes is not None and float(row_bytes) * data.n_rows > FIT_BYTES:
            return member["trial"], float(row_bytes) * data.n_rows
    return None
