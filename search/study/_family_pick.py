"""Which model family a sampled trial tries: where the search's seconds are best spent.

TPE models each family's own settings well, but its pick of the family itself barely tells
families apart: the best family is also the most tried, so it fills TPE's "bad" group as
much as its "good" one. On the 24,000-row generated set a 30-minute search spent 10 minutes
on network trials pruned at their second epoch, while linear trials of 2-3 s were what won.

Here each family gets a share of the seconds by how close its best score is to the study's
best: ``exp(-gap / (GAP_SCALE * |best|))``, at least ``FLOOR`` so that no family is ever
dropped (nor one untried: it starts at the floor). A pick's probability is that share over
the family's mean seconds a trial, so a family twice as slow is picked half as often for
the same share. Near a deadline only families whose quickest trial fits are picked.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import optuna
from optuna.distributions import BaseDistribution, CategoricalDistribution
from optuna.trial import FrozenTrial, TrialState

from search.metrics import Direction
from search.study._summary import own_seconds, trained

FAMILY = "family"
# A family whose best is 1% of the best value behind the study's best gets 1/e of the seconds.
GAP_SCALE = 0.01
# The share of a family far behind, or not tried yet, against the leading family's 1.
FLOOR = 0.05


@dataclass(frozen=True)
class FamilyRecord:
    """A family's trials that ran (complete or pruned): their seconds and its best score."""

    family: str
    seconds: tuple[float, ...]
    best: float | None  # over complete trials; else the best any pruned trial reported

    @property
    def mean_s(self) -> float:
        return sum(self.seconds) / len(self.seconds)


def family_records(trials: Sequence[FrozenTrial], direction: Direction,
                   ) -> dict[str, FamilyRecord]:
    """Each family's trials that trained (not those skipped unrun, which record no training
    seconds), by the ``family`` param."""
    better = max if direction is Direction.MAXIMIZE else min
    groups: dict[str, list[FrozenTrial]] = {}
    for trial in trials:
        if trained(trial) and FAMILY in trial.params:
            groups.setdefault(str(trial.params[FAMILY]), []).append(trial)
    records = {}
    for family, group in groups.items():
        complete = [t.value for t in group if t.state is TrialState.COMPLETE
                    and t.value is not None]
        reported = [v for t in group for v in t.intermediate_values.values()]
        found = complete or reported
        records[family] = FamilyRecord(
            family, tuple(own_seconds(t) for t in group),
            better(found) if found else None)
    return records


def pick_weights(choices: Sequence[str], records: dict[str, FamilyRecord],
                 direction: Direction, seconds_left: float | None = None,
                 untimed_needs_s: float = 0.0,
                 quickest_here: dict[str, float] | None = None) -> dict[str, float]:
    """Each choice's weight (not normalised); see the module's docstring. With
    ``seconds_left``, a family whose quickest trial took longer gets none, as does one not
    timed when less than ``untimed_needs_s`` is left; ``quickest_here`` (a worker's own
    quickest seconds by family) is what "took" means then, else the study's records."""
    bests = [r.best for r in records.values() if r.best is not None]
    best = (max(bests) if direction is Direction.MAXIMIZE else min(bests)) if bests else None
    slowest = max((r.mean_s for r in records.values()), default=1.0)
    weights = {}
    for choice in choices:
        record = records.get(choice)
        took = (quickest_here.get(choice) if quickest_here is not None
                else min(record.seconds) if record else None)
        if seconds_left is not None and (untimed_needs_s if took is None else took) > seconds_left:
            weights[choice] = 0.0
        elif record is None:
            weights[choice] = FLOOR / max(slowest, 1e-3)
        else:
            weights[choice] = _share(record, best) / max(record.mean_s, 1e-3)
    return weights


def _share(record: FamilyRecord, best: float | None) -> float:
    """The family's share of the seconds against the leading family's 1: the floor when it
    has no score (every trial stopped before one), or nothing scored yet."""
    if record.best is None or best is None:
        return FLOOR
    scale = GAP_SCALE * max(abs(best), 1e-3)
    return max(math.exp(-abs(best - record.best) / scale), FLOOR)


class FamilyBySeconds(optuna.samplers.BaseSampler):
    """``base`` samples everything but the family; the family is picked as the module's
    docstring says. ``seconds_left`` and ``untimed_needs_s`` are set by the worker before
    each trial when it has a deadline, with ``quickest_here``, its own quickest seconds by
    family."""

    def __init__(self, base: optuna.samplers.BaseSampler, seed: int | None = None):
        self.base = base
        self.rng = np.random.default_rng(seed)
        self.seconds_left: float | None = None
        self.untimed_needs_s = 0.0
        self.quickest_here: dict[str, float] | None = None

    def infer_relative_search_space(self, study: optuna.Study, trial: FrozenTrial,
                                    ) -> dict[str, BaseDistribution]:
        space = self.base.infer_relative_search_space(study, trial)
        return {name: d for name, d in space.items() if name != FAMILY}

    def sample_relative(self, study: optuna.Study, trial: FrozenTrial,
                        search_space: dict[str, BaseDistribution]) -> dict[str, Any]:
        return self.base.sample_relative(study, trial, search_space)

    def sample_independent(self, study: optuna.Study, trial: FrozenTrial, param_name: str,
                           param_distribution: BaseDistribution) -> Any:
        if param_name != FAMILY or not isinstance(param_distribution, CategoricalDistribution):
            return self.base.sample_independent(study, trial, param_name, param_distribution)
        choices = [str(c) for c in param_distribution.choices]
        direction = Direction(study.direction.name.lower())
        records = family_records(study.get_trials(deepcopy=False), direction)
        weights = pick_weights(choices, records, direction, self.seconds_left,
                               self.untimed_needs_s, self.quickest_here)
        total = sum(weights.values())
        if total <= 0:  # nothing fits: the quickest family (the worker decided to start)
            timed = [c for c in choices if c in records]
            if not timed:
                return param_distribution.choices[int(self.rng.integers(len(choices)))]
            quickest = min(timed, key=lambda c: min(records[c].seconds))
            return param_distribution.choices[choices.index(quickest)]
        p = np.array([weights[c] / total for c in choices])
        return param_distribution.choices[int(self.rng.choice(len(choices), p=p))]

    def before_trial(self, study: optuna.Study, trial: FrozenTrial) -> None:
        self.base.before_trial(study, trial)

    def after_trial(self, study: optuna.Study, trial: FrozenTrial, state: TrialState,
                    values: Sequence[float] | None) -> None:
        self.base.after_trial(study, trial, state, values)

    def reseed_rng(self) -> None:
        self.base.reseed_rng()
        self.rng = np.random.default_rng()

