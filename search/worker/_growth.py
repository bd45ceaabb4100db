"""Which trials grow to more rows (``search.training``'s rungs): successive halving over data
size, by Optuna's rule for its ``SuccessiveHalvingPruner``. At each rung a trial goes on when
its objective there is among the best third of every trial's at that rung (itself included;
the best one while fewer than three have one), within the noise of the choosing rows for a
score (a loss has no slack)."""

from __future__ import annotations

import math
from collections.abc import Callable

import optuna

from search.metrics import TrialAttr
from search.training import GROWTH
from search.worker._signals import StopSignals


def promotion(trial: optuna.Trial, n_val: int, signals: StopSignals,
              exempt: bool = False) -> Callable[[int, float], str | None]:
    """``FitSettings.promote`` for ``trial``: records its objective at each rung; the reason
    it is pruned there, or None. ``exempt`` (the baseline) always grows."""
    maximize = trial.study.direction is optuna.study.StudyDirection.MAXIMIZE

    def promote(rows: int, value: float) -> str | None:
        key = str(rows)
        with signals.deferred():
            scores = dict(trial.user_attrs.get(TrialAttr.ROWS_SCORES) or {})
            scores[key] = value
            trial.set_user_attr(TrialAttr.ROWS_SCORES, scores)
            others = [float(t.user_attrs[TrialAttr.ROWS_SCORES][key])
                      for t in trial.study.get_trials(deepcopy=False)
                      if t.number != trial.number
                      and key in (t.user_attrs.get(TrialAttr.ROWS_SCORES) or {})]
        if exempt:
            return None
        ranked = sorted([*others, value], reverse=maximize)
        kept = max(len(ranked) // GROWTH, 1)
        cutoff = ranked[kept - 1]
        slack = noise(cutoff, n_val) if maximize else 0.0
        if (value >= cutoff - slack) if maximize else (value <= cutoff):
            return None
        noise_said = f", less {slack:.4f} of noise" if maximize else ""
        return (f"at {rows} rows its objective {value:.4f} was not among the best "
                f"{'third' if kept > 1 else 'one'} of {len(ranked)} trials there "
                f"({cutoff:.4f}{noise_said})")

    return promote


def noise(value: float, n_val: int) -> float:
    """The standard error of a share ``value`` measured on ``n_val`` rows (a score in [0, 1]
    read as one)."""
    share = min(max(value, 0.0), 1.0)
    return math.sqrt(share * (1 - share) / max(n_val, 1))
