"""The expert's grid shrunk by what its first points show. A queued point of the grid is
skipped when two finished points of its class weights, both on one side of its C, fall away
towards it: the nearer one scored worse than the farther. The grid is one-dimensional in C
for each class weighting, so its next point that way is worse still, and the seconds it would
take go to sampled trials."""

from __future__ import annotations

import math
from typing import Any

import optuna
from optuna.trial import TrialState

from search.metrics import TrialAttr
from spaces.families import EXPERT


def grid_skip(study: optuna.Study, params: dict[str, Any], starting_point: str | None,
              ) -> str | None:
    """Why the queued grid point ``params`` is not worth solving, or None."""
    if starting_point != EXPERT:
        return None
    c, weight = float(params["linear_c"]), params["class_weight"]
    done = [(float(t.params["linear_c"]), float(t.value))
            for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            if t.user_attrs.get(TrialAttr.STARTING_POINT) == EXPERT and t.value is not None
            and t.params.get("class_weight") == weight and "linear_c" in t.params]
    maximize = study.direction is optuna.study.StudyDirection.MAXIMIZE
    for side in (1, -1):
        beyond = sorted((p for p in done if side * (p[0] - c) > 0),
                        key=lambda p: abs(math.log(p[0] / c)))
        if len(beyond) < 2:
            continue
        (near_c, near), (far_c, far) = beyond[:2]
        if (near < far) if maximize else (near > far):
            return (f"skipped: the expert's grid with class weights {weight!r} got worse "
                    f"from C {far_c:g} ({far:.4f}) to C {near_c:g} ({near:.4f}), and C "
                    f"{c:g} lies further that way")
    return None
