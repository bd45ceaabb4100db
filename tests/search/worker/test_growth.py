"""Successive halving over rows: at a rung a trial goes on when among the best third there
(the best one while fewer than three have a score), within the noise of the choosing rows."""

from __future__ import annotations

import optuna
import pytest

from search.metrics import TrialAttr
from search.worker._growth import noise, promotion
from search.worker._signals import StopSignals


def study_with(scores: list[float], direction: str = "maximize") -> optuna.Study:
    study = optuna.create_study(direction=direction)
    for value in scores:
        trial = study.ask()
        trial.set_user_attr(TrialAttr.ROWS_SCORES, {"2000": value})
        study.tell(trial, state=optuna.trial.TrialState.PRUNED)
    return study


def test_the_first_trial_at_a_rung_grows_and_records_its_score() -> None:
    study = study_with([])
    trial = study.ask()
    assert promotion(trial, 1000, StopSignals())(2000, 0.5) is None
    assert trial.user_attrs[TrialAttr.ROWS_SCORES] == {"2000": 0.5}


@pytest.mark.parametrize(("value", "grows"), [(0.81, True), (0.79, False)])
def test_under_three_scores_only_the_best_grows(value: float, grows: bool) -> None:
    trial = study_with([0.80]).ask()
    # 10,000 choosing rows: the noise at 0.80 is 0.004, under the 0.01 between them.
    assert (promotion(trial, 10_000, StopSignals())(2000, value) is None) is grows


def test_from_three_scores_the_best_third_grows_within_the_noise() -> None:
    scores = [0.90, 0.85, 0.70, 0.60, 0.50]  # with one more, six: the best two grow
    cutoff_noise = noise(0.85, 400)  # 0.0179
    promote = promotion(study_with(scores).ask(), 400, StopSignals())
    assert promote(2000, 0.85 - cutoff_noise + 1e-4) is None
    reason = promote(2000, 0.80)
    assert reason == ("at 2000 rows its objective 0.8000 was not among the best third of 6 "
                      "trials there (0.8500, less 0.0179 of noise)")


def test_a_loss_is_ranked_lowest_first_and_the_baseline_always_grows() -> None:
    study = study_with([0.3, 0.4, 0.5], direction="minimize")
    assert promotion(study.ask(), 400, StopSignals())(2000, 0.35) is not None
    assert promotion(study.ask(), 400, StopSignals())(2000, 0.25) is None
    assert promotion(study.ask(), 400, StopSignals(), exempt=True)(2000, 0.9) is None
