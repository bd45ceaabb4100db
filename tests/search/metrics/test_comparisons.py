"""Honest comparisons: each headline metric against each baseline, and time by family."""

from __future__ import annotations

from datetime import datetime, timedelta

import optuna
from optuna.distributions import CategoricalDistribution
from optuna.trial import TrialState

from search.metrics import Direction, versus_baselines
from search.study import family_times
from spaces import Task

BASELINES = {"tfidf_logreg": {"val_loss": 2.2, "accuracy": 0.42, "macro_f1": 0.37,
                              "f1_positive": 0.78, "pr_auc": 0.93}}


def test_a_lower_loss_never_hides_a_worse_headline_metric() -> None:
    [sentence] = versus_baselines({"val_loss": 2.0, "accuracy": 0.45, "macro_f1": 0.30},
                                  BASELINES, Task.MULTICLASS)
    assert sentence == ("ahead of tfidf_logreg on val_loss 2.0000 vs 2.2000; accuracy 0.4500 "
                        "vs 0.4200, but behind on macro_f1 0.3000 vs 0.3700")


def test_binary_is_judged_on_the_positive_class_and_pr_auc() -> None:
    [ahead] = versus_baselines({"val_loss": 9.9, "f1_positive": 0.80, "pr_auc": 0.95},
                               BASELINES, Task.BINARY)
    assert ahead.startswith("ahead of tfidf_logreg on every headline metric")
    assert "val_loss" not in ahead
    [behind] = versus_baselines({"f1_positive": 0.70, "pr_auc": 0.90}, BASELINES, Task.BINARY)
    assert behind.startswith("behind tfidf_logreg on every headline metric")


def test_a_tie_is_level_never_behind() -> None:
    """Equal to the four decimals shown is level (a baseline stored rounded used to read as
    "behind on accuracy 0.9753 vs 0.9753")."""
    same = {"val_loss": 2.2, "accuracy": 0.42, "macro_f1": 0.37}
    [sentence] = versus_baselines(same, BASELINES, Task.MULTICLASS)
    assert sentence == ("level with tfidf_logreg on every headline metric (val_loss 2.2000 vs "
                        "2.2000; accuracy 0.4200 vs 0.4200; macro_f1 0.3700 vs 0.3700)")
    [mixed] = versus_baselines({**same, "accuracy": 0.420001, "macro_f1": 0.30}, BASELINES,
                               Task.MULTICLASS)
    assert mixed == ("level with tfidf_logreg on val_loss 2.2000 vs 2.2000; accuracy 0.4200 vs "
                     "0.4200, but behind on macro_f1 0.3000 vs 0.3700")
    [both] = versus_baselines({**same, "val_loss": 2.0}, BASELINES, Task.MULTICLASS)
    assert both == ("ahead of tfidf_logreg on val_loss 2.0000 vs 2.2000, level on accuracy "
                    "0.4200 vs 0.4200; macro_f1 0.3700 vs 0.3700")


def _trial(family: str, state: TrialState, seconds: float,
           value: float | None) -> optuna.trial.FrozenTrial:
    start = datetime(2026, 1, 1)
    return optuna.trial.FrozenTrial(
        number=0, state=state, value=value if state is TrialState.COMPLETE else None,
        datetime_start=start, datetime_complete=start + timedelta(seconds=seconds),
        params={"family": family},
        distributions={"family": CategoricalDistribution(["ngram", "sequence"])},
        user_attrs={}, system_attrs={}, intermediate_values={}, trial_id=0)


def test_time_is_counted_by_family_busiest_first() -> None:
    trials = [_trial("ngram", TrialState.COMPLETE, 10, 2.1),
              _trial("ngram", TrialState.COMPLETE, 14, 2.0),
              _trial("sequence", TrialState.PRUNED, 90, None),
              _trial("sequence", TrialState.FAIL, 500, None)]
    rows = family_times(trials, Direction.MINIMIZE)
    assert [(r.family, r.trials, r.pruned, r.seconds, r.best) for r in rows] == [
        ("sequence", 1, 1, 90.0, None), ("ngram", 2, 0, 24.0, 2.0)]
    assert rows[1].per_trial == 12.0
