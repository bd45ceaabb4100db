"""What refitting the answer costs, known before the search ends: a worker keeps that much
time before its deadline. Light: a worker loads it at start."""

from __future__ import annotations

from typing import Any

import optuna

from search.metrics import TrialAttr
from spaces.features import StudyData

# Seconds a refit takes besides fitting: building and saving the model (``hpsearch run``
# refits in the worker's process, with TensorFlow loaded and every row encoded already).
REFIT_OVERHEAD_S = 3.0


def refit_seconds(study: optuna.Study, members: list[dict[str, Any]], data: StudyData) -> float:
    """About how long refitting ``members`` on every row takes: each one's training time
    here, times the square of the rows' growth (a solver's time grows faster than its rows:
    1.25 times the rows took 1.8 times as long on fortunes.csv), and the overhead."""
    trials = {t.number: t for t in study.get_trials(deepcopy=False)}
    scale = (data.n_rows / max(len(data.train_texts), 1)) ** 2
    return REFIT_OVERHEAD_S + sum(
        scale * float(trials[m["trial"]].user_attrs.get(TrialAttr.TRAIN_SECONDS) or 0.0)
        for m in members)
