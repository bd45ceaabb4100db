"""A walk along C from the best linear trial. When a trial of a family with a walked key
(``Family.walked``: the linear family's C) finishes, the family's best trial so far is queued
again at C × 3 and C / 3, within the space's range, its other settings kept, unless a trial of
those settings already lies within a factor √3 of that C (finished, running or queued); once
both have run, at C × √3 and C / √3. A neighbour that scores better becomes the best trial,
and the walk goes on from it. A step queued twice (two workers finishing trials at the same
moment) runs once: the later copy is skipped as it starts (``walk_skip``).

TPE models C together with a dozen other settings: in one ten-minute run on the 24k-row set it
settled on C 0.4-0.6 and never sampled the C near 0.05 that won in other runs, so a good set of
features was left at a poor C. The solver (liblinear) has no warm start; the walk's trials share
their bag with the best trial, whose encoding the trainer keeps, so each costs one solve."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

import storage
from search.metrics import TrialAttr
from search.study import BUDGET_STATES, config_of
from spaces import REGISTRY, FloatRange, Space

log = logging.getLogger("hpsearch")
STEPS = (3.0, math.sqrt(3.0))  # the factors tried, the second once the first is taken


def walk_steps(trials: Sequence[FrozenTrial], family: str, key: str,
               bounds: tuple[float, float], maximize: bool,
               ) -> tuple[FrozenTrial, list[float]] | None:
    """The best finished trial of ``family`` and the values of ``key`` to queue it at next:
    none while a step is queued or running, or once every step is taken; None while the family
    has no finished trial."""
    done = [t for t in trials if t.state is TrialState.COMPLETE and t.value is not None
            and t.params.get("family") == family and key in t.params]
    if not done:
        return None
    sign = 1.0 if maximize else -1.0
    best = max(done, key=lambda t: (sign * float(t.value), -t.number))  # type: ignore[arg-type]
    settings = _others(best.params, key)
    tried = [(float(p[key]), t.state.is_finished()) for t, p in
             ((t, _params_of(t)) for t in trials) if key in p and _others(p, key) == settings]
    value, (low, high) = float(best.params[key]), bounds
    for step in STEPS:
        reach = math.log(step) / 2 + 1e-9
        wanted = [min(max(value * factor, low), high) for factor in (step, 1 / step)]
        near = [[ran for c, ran in tried if abs(math.log(v / c)) <= reach] for v in wanted]
        free = [v for v, takers in zip(wanted, near, strict=True) if not takers]
        if free:
            return best, free
        if not all(any(takers) for takers in near):  # a step still to run: wait for it
            return best, []
    return best, []


def walk_skip(study: optuna.Study, number: int, params: dict[str, Any],
              walked_from: int | None) -> str | None:
    """Why the walk step ``number`` is not run: an earlier trial of exactly its settings ran
    or is running (two workers that finished trials at the same moment can both queue a
    step). None for a trial that is no walk step."""
    if walked_from is None:
        return None
    for other in study.get_trials(deepcopy=False, states=(*BUDGET_STATES, TrialState.RUNNING)):
        if other.number < number and _params_of(other) == params:
            return (f"skipped: trial {other.number} has these settings already (a step of the "
                    f"walk from trial {walked_from}, queued twice)")
    return None


def _params_of(trial: FrozenTrial) -> dict[str, Any]:
    """A queued trial's params are fixed before it runs (and stay so while it runs)."""
    return storage.queued_params(trial) or trial.params


def _others(params: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k != key}


class WalkAlongC:
    """Optuna callback: after a trial of a family with a walked key, queue the steps of
    ``walk_steps`` from that family's best trial, as many as the study's trial budget has room
    for."""

    def __init__(self, space: Space):
        self.bounds: dict[str, tuple[float, float]] = {}
        for family in REGISTRY.values():
            found = space.params.get(family.walked) if family.walked else None
            if isinstance(found, FloatRange) and found.log and found.low < found.high:
                self.bounds[family.name] = (found.low, found.high)

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        family = str(trial.params.get("family"))
        key = REGISTRY[family].walked if family in self.bounds else None
        if key is None or trial.state is not TrialState.COMPLETE:
            return
        maximize = study.direction is optuna.study.StudyDirection.MAXIMIZE
        trials = study.get_trials(deepcopy=False)
        found = walk_steps(trials, family, key, self.bounds[family], maximize)
        if not found or not found[1]:
            return
        best, values = found
        limit = config_of(study).budget.n_trials
        if limit is not None:  # the study's trial budget: queue none it has no room for
            taken = sum(t.state in (*BUDGET_STATES, TrialState.RUNNING, TrialState.WAITING)
                        for t in trials)
            values = values[:max(limit - taken, 0)]
        if not values:
            return
        for value in values:
            study.enqueue_trial({**best.params, key: value},
                                user_attrs={TrialAttr.WALKED_FROM: best.number})
        log.info("queued trial %d's settings at %s %s: a walk along it from the %s family's "
                 "best trial", best.number, key, " and ".join(f"{v:.3g}" for v in values),
                 family)
