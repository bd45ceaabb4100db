"""The expert's grid skips a point its finished neighbours fall away towards."""

from __future__ import annotations

import optuna
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution

from search.metrics import TrialAttr
from search.worker._grid import grid_skip
from spaces.families import BASELINE, EXPERT

DISTRIBUTIONS = {"linear_c": FloatDistribution(0.01, 10.0, log=True),
                 "class_weight": CategoricalDistribution(["none", "balanced"])}


def study_of(direction: str, done: list[tuple[float, str, float]],
             point: str = EXPERT) -> optuna.Study:
    study = optuna.create_study(direction=direction)
    for c, weight, value in done:
        study.add_trial(optuna.trial.create_trial(
            params={"linear_c": c, "class_weight": weight}, distributions=DISTRIBUTIONS,
            value=value, user_attrs={TrialAttr.STARTING_POINT: point}))
    return study


@pytest.mark.parametrize(("c", "skipped"), [(3.0, True), (0.1, False)])
def test_a_point_beyond_a_falling_pair_is_skipped(c: float, skipped: bool) -> None:
    # Balanced: C 0.3 scored 0.82, C 1 scored 0.80: worse towards 3, better towards 0.1.
    study = study_of("maximize", [(1.0, "balanced", 0.80), (0.3, "balanced", 0.82),
                                  (1.0, "none", 0.90)])
    reason = grid_skip(study, {"linear_c": c, "class_weight": "balanced"}, EXPERT)
    assert (reason is not None) is skipped
    if skipped:
        assert "from C 0.3 (0.8200) to C 1 (0.8000)" in reason


def test_a_loss_falls_the_other_way() -> None:
    study = study_of("minimize", [(1.0, "balanced", 0.80), (0.3, "balanced", 0.82)])
    assert grid_skip(study, {"linear_c": 0.1, "class_weight": "balanced"}, EXPERT)
    assert grid_skip(study, {"linear_c": 3.0, "class_weight": "balanced"}, EXPERT) is None


def test_other_weights_other_points_and_one_neighbour_are_never_skipped() -> None:
    study = study_of("maximize", [(1.0, "balanced", 0.80), (0.3, "balanced", 0.82)])
    assert grid_skip(study, {"linear_c": 3.0, "class_weight": "none"}, EXPERT) is None
    assert grid_skip(study, {"linear_c": 3.0, "class_weight": "balanced"}, BASELINE) is None
    assert grid_skip(study, {"linear_c": 3.0, "class_weight": "balanced"}, None) is None
    one = study_of("maximize", [(1.0, "balanced", 0.80)])
    assert grid_skip(one, {"linear_c": 3.0, "class_weight": "balanced"}, EXPERT) is None
    others = study_of("maximize", [(1.0, "balanced", 0.80), (0.3, "balanced", 0.82)], BASELINE)
    assert grid_skip(others, {"linear_c": 3.0, "class_weight": "balanced"}, EXPERT) is None
