"""The sampled trial's family is picked by where seconds are best spent: a family's share of
the time falls with its gap to the study's best, its picks with its seconds a trial."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from types import SimpleNamespace

import optuna
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution
from optuna.trial import TrialState, create_trial

import storage
from search.metrics import Direction, TrialAttr
from search.options import SearchOptions, WorkerOptions
from search.study import (
    FamilyBySeconds,
    family_records,
    make_sampler,
    own_seconds,
    pick_weights,
)
from search.worker._loop import TrialLoop

FAMILIES = CategoricalDistribution(["linear", "ngram", "sequence"])
START = dt.datetime(2026, 1, 1)


def ran(family: str, seconds: float, value: float | None, *, pruned_at: float | None = None,
        x: float = 0.5) -> optuna.trial.FrozenTrial:
    """A finished trial of ``family`` that trained for ``seconds``."""
    return create_trial(
        state=TrialState.PRUNED if value is None else TrialState.COMPLETE, value=value,
        params={"family": family, "x": x},
        distributions={"family": FAMILIES, "x": FloatDistribution(0.0, 1.0)},
        intermediate_values={} if pruned_at is None else {1: pruned_at},
        user_attrs={TrialAttr.TRAIN_SECONDS: seconds})


def with_times(trial: optuna.trial.FrozenTrial, seconds: float) -> optuna.trial.FrozenTrial:
    trial.datetime_start = START
    trial.datetime_complete = START + dt.timedelta(seconds=seconds)
    return trial


def study_of(*trials: tuple[str, float, float | None], direction: str = "maximize",
             ) -> optuna.Study:
    study = optuna.create_study(direction=direction)
    for family, seconds, value in trials:
        pruned_at = None if value is not None else 0.1
        study.add_trial(with_times(ran(family, seconds, value, pruned_at=pruned_at), seconds))
    return study


def test_records_keep_trained_trials_their_seconds_and_best() -> None:
    study = study_of(("linear", 3.0, 0.88), ("linear", 5.0, 0.86), ("ngram", 100.0, None))
    skipped = with_times(ran("linear", 0.0, None), 0.0)  # pruned unrun by the grid rule
    skipped.user_attrs = {}
    study.add_trial(skipped)
    records = family_records(study.get_trials(), Direction.MAXIMIZE)
    assert records["linear"].seconds == (3.0, 5.0) and records["linear"].best == 0.88
    assert records["linear"].mean_s == 4.0
    assert records["ngram"].best == 0.1  # only pruned: the best value it reported
    instant = study_of(("sequence", 0.0, 0.5)).get_trials()  # a trial recorded as 0 s long
    assert family_records(instant, Direction.MAXIMIZE)["sequence"].seconds == (0.0,)


def test_weights_follow_the_gap_and_the_seconds() -> None:
    records = family_records(study_of(("linear", 10.0, 0.90), ("ngram", 100.0, 0.891),
                                      ("sequence", 50.0, 0.50)).get_trials(),
                             Direction.MAXIMIZE)
    w = pick_weights(["linear", "ngram", "sequence", "wide_deep"], records, Direction.MAXIMIZE)
    assert w["linear"] == pytest.approx(1 / 10)
    # 0.009 behind with a scale of 0.009: 1/e of the seconds, over 100 s a trial
    assert w["ngram"] == pytest.approx(0.36788 / 100, rel=1e-3)
    assert w["sequence"] == pytest.approx(0.05 / 50)  # far behind: the floor
    assert w["wide_deep"] == pytest.approx(0.05 / 100)  # untried: the floor, at the slowest


def test_lower_is_better_when_the_study_minimises() -> None:
    records = family_records(study_of(("linear", 10.0, 0.30), ("ngram", 10.0, 0.20),
                                      direction="minimize").get_trials(), Direction.MINIMIZE)
    w = pick_weights(["linear", "ngram"], records, Direction.MINIMIZE)
    assert w["ngram"] == pytest.approx(1 / 10) and w["linear"] == pytest.approx(0.05 / 10)


def test_near_the_deadline_only_families_that_fit_are_picked() -> None:
    records = family_records(study_of(("linear", 4.0, 0.80), ("linear", 9.0, 0.81),
                                      ("ngram", 30.0, 0.90)).get_trials(), Direction.MAXIMIZE)
    w = pick_weights(["linear", "ngram", "sequence"], records, Direction.MAXIMIZE,
                     seconds_left=10.0, untimed_needs_s=12.0)
    assert w["ngram"] == 0.0 and w["sequence"] == 0.0 and w["linear"] > 0
    w = pick_weights(["linear", "ngram", "sequence"], records, Direction.MAXIMIZE,
                     seconds_left=12.0, untimed_needs_s=12.0)
    assert w["sequence"] > 0


def test_a_family_with_no_score_gets_the_floor_and_the_deadline_still_counts() -> None:
    """Trials stopped over the cost cap report nothing: their family is not a leader."""
    study = study_of(("linear", 10.0, 0.90))
    capped = with_times(ran("sequence", 2.0, None), 2.0)  # pruned before any epoch's report
    study.add_trial(capped)
    records = family_records(study.get_trials(), Direction.MAXIMIZE)
    assert records["sequence"].best is None
    w = pick_weights(["linear", "sequence"], records, Direction.MAXIMIZE)
    assert w["sequence"] == pytest.approx(0.05 / 2) and w["linear"] == pytest.approx(1 / 10)
    alone = family_records(study_of().get_trials(), Direction.MAXIMIZE)
    alone["sequence"] = records["sequence"]
    w = pick_weights(["linear", "sequence"], alone, Direction.MAXIMIZE, seconds_left=1.0,
                     untimed_needs_s=5.0)
    assert w == {"linear": 0.0, "sequence": 0.0}  # 2 s and untried: neither fits in 1 s


def test_near_the_deadline_a_family_not_timed_by_this_worker_needs_a_first_epoch() -> None:
    records = family_records(study_of(("linear", 4.0, 0.80), ("ngram", 3.0, 0.90)).get_trials(),
                             Direction.MAXIMIZE)
    w = pick_weights(["linear", "ngram"], records, Direction.MAXIMIZE, seconds_left=10.0,
                     untimed_needs_s=12.0, quickest_here={"linear": 4.0})
    assert w["ngram"] == 0.0 and w["linear"] > 0  # another worker's 3 s do not count here


def test_the_sampler_spends_the_seconds_where_the_best_is() -> None:
    """Linear trials of 3 s at 0.89, n-gram MLPs of 150 s at 0.86, sequence models pruned:
    nearly every pick is linear (the others keep their floor, above), and TPE still samples
    the other parameters."""
    study = study_of(*[("linear", 3.0, 0.89 - i / 1000) for i in range(4)],
                     ("ngram", 150.0, 0.86), ("sequence", 60.0, None))
    sampler = FamilyBySeconds(optuna.samplers.TPESampler(n_startup_trials=4, multivariate=True,
                                                         group=True, seed=0), seed=0)
    study.sampler = sampler
    picks: Counter[str] = Counter()
    xs = set()
    for _ in range(200):
        trial = study.ask()
        picks[trial.suggest_categorical("family", FAMILIES.choices)] += 1
        xs.add(round(trial.suggest_float("x", 0.0, 1.0), 6))
        study.tell(trial, state=TrialState.FAIL)  # failed trials leave the records alone
    assert picks["linear"] >= 190, picks
    assert len(xs) > 100


def test_a_trial_counts_its_own_seconds_not_the_rows_it_encoded_for_later_ones() -> None:
    """A worker's first trial took 40 s, 20 of them encoding the training rows every later
    trial reads: the family pick and the loop count 20 s for it."""
    first = with_times(ran("linear", 38.0, 0.88), 40.0)
    first.user_attrs[TrialAttr.SHARED_SECONDS] = 20.0
    later = with_times(ran("linear", 18.0, 0.87), 19.0)
    assert own_seconds(first) == 20.0 and own_seconds(later) == 19.0
    assert family_records([first, later], Direction.MAXIMIZE)["linear"].seconds == (20.0, 19.0)
    objective = SimpleNamespace(progress=None, cost_limit_s=None, kept_seconds=lambda: 0.0)
    loop = TrialLoop(optuna.create_study(), objective, WorkerOptions())  # type: ignore[arg-type]
    loop.tally(loop.study, first)
    assert loop.tally.seconds == {"linear": [20.0]}


def test_tpe_studies_pick_their_family_by_seconds() -> None:
    assert isinstance(make_sampler(SearchOptions(), seed=1), FamilyBySeconds)


def test_a_worker_needs_only_the_quickest_family_to_fit_and_tells_the_sampler() -> None:
    """A linear trial took 4 s here and an n-gram MLP 40 s; with 10 s left for trials a
    sampled trial starts, and the sampler is told the 10 s."""
    study = optuna.create_study(sampler=make_sampler(SearchOptions(), seed=1))
    objective = SimpleNamespace(progress=None, cost_limit_s=None, kept_seconds=lambda: 0.0)
    loop = TrialLoop(study, objective, WorkerOptions())  # type: ignore[arg-type]
    loop.tally.seconds.update({"linear": [4.0], "ngram": [40.0]})
    assert loop._time_for_one(time.monotonic() + 10.0) is True
    sampler = study.sampler
    assert isinstance(sampler, FamilyBySeconds)
    assert sampler.seconds_left == pytest.approx(10.0, abs=0.5)
    assert sampler.quickest_here == {"linear": 4.0, "ngram": 40.0}
    loop.tally.seconds["linear"] = [11.0]
    assert loop._time_for_one(time.monotonic() + 10.0) is False


def test_a_sampled_trial_goes_first_where_the_queued_one_does_not_fit() -> None:
    """The queued trial is linear, whose longest trial here took 10 s; 5 s are left and a
    linear trial once took 3 s: a sampled trial starts, the queued one waits."""
    study = optuna.create_study(sampler=make_sampler(SearchOptions(), seed=1))
    study.enqueue_trial({"family": "linear"})
    objective = SimpleNamespace(progress=None, cost_limit_s=None, kept_seconds=lambda: 0.0)
    loop = TrialLoop(study, objective, WorkerOptions())  # type: ignore[arg-type]
    loop.tally.seconds["linear"] = [10.0, 3.0]
    assert loop._time_for_one(time.monotonic() + 5.0) is True and loop.skip_queue
    loop.tally.seconds["linear"] = [10.0, 6.0]
    assert loop._time_for_one(time.monotonic() + 5.0) is False and not loop.skip_queue
    assert loop._time_for_one(time.monotonic() + 11.0) is True and not loop.skip_queue


def test_within_sampled_first_ask_leaves_the_queue_alone() -> None:
    """Optuna's ask pops the queue first; hpsearch relies on the name of the method it calls."""
    study = optuna.create_study()
    study.enqueue_trial({"x": 0.25})
    with storage.sampled_first(study):
        sampled = study.ask()
    assert sampled.number == 1 and study.trials[0].state is TrialState.WAITING
    assert study.ask().number == 0


def test_while_the_refit_is_kept_an_untimed_family_needs_twice_its_first_epoch() -> None:
    study = optuna.create_study(sampler=make_sampler(SearchOptions(), seed=1))
    objective = SimpleNamespace(progress=None, cost_limit_s=27.0, kept_seconds=lambda: 20.0)
    loop = TrialLoop(study, objective, WorkerOptions())  # type: ignore[arg-type]
    loop.tally.seconds["linear"] = [4.0]
    assert loop._time_for_one(time.monotonic() + 20.0 + 10.0) is True
    assert study.sampler.untimed_needs_s == pytest.approx(2 * 27.0 / 3)  # type: ignore[attr-defined]
