"""The best linear trial is walked along C: its settings queued again at C × 3 and C / 3, then
at C × √3 and C / √3, unless a trial of those settings already lies near."""

from __future__ import annotations

import math

import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution
from optuna.trial import TrialState

import storage
from search.metrics import TrialAttr
from search.options import BudgetOptions
from search.study import CONFIG_ATTR, StudyConfig
from search.worker._walk import WalkAlongC, walk_skip, walk_steps
from spaces import Task, default_space, parse_space

DISTRIBUTIONS = {"family": CategoricalDistribution(["linear", "ngram"]),
                 "ngram_weighting": CategoricalDistribution(["tfidf", "count"]),
                 "linear_c": FloatDistribution(0.01, 10.0, log=True)}
BOUNDS = (0.01, 10.0)


def trial(c: float, value: float, weighting: str = "tfidf", family: str = "linear",
          ) -> optuna.trial.FrozenTrial:
    return optuna.trial.create_trial(
        params={"family": family, "ngram_weighting": weighting, "linear_c": c},
        distributions=DISTRIBUTIONS, value=value)


def study_of(*trials: optuna.trial.FrozenTrial, direction: str = "maximize",
             n_trials: int | None = None) -> optuna.Study:
    study = optuna.create_study(direction=direction)
    config = StudyConfig(task=Task.MULTICLASS, classes=["a", "b"], data_path="d",
                         data_fingerprint="f", cache_sha256="c", space={}, max_len=10,
                         vocab_size=100, budget=BudgetOptions(n_trials=n_trials))
    study.set_user_attr(CONFIG_ATTR, config.to_dict())
    for t in trials:
        study.add_trial(t)
    return study


def steps(*trials: optuna.trial.FrozenTrial, maximize: bool = True) -> tuple[int, list[float]]:
    study = study_of(*trials)
    found = walk_steps(study.get_trials(), "linear", "linear_c", BOUNDS, maximize)
    assert found is not None
    return found[0].number, sorted(round(v, 4) for v in found[1])


def test_the_best_trial_is_tried_three_times_either_way_first() -> None:
    assert steps(trial(0.05, 0.80), trial(1.0, 0.85)) == (1, [0.3333, 3.0])


def test_a_step_taken_by_a_near_trial_of_the_same_settings_is_not_queued() -> None:
    # 1.0 lies within √3 of 0.3 × 3 = 0.9: only C 0.1 is left at the first step.
    assert steps(trial(0.3, 0.85), trial(1.0, 0.80)) == (0, [0.1])


def test_other_settings_do_not_take_a_step() -> None:
    assert steps(trial(0.3, 0.85), trial(1.0, 0.80, weighting="count")) == (0, [0.1, 0.9])


def test_once_both_steps_of_three_are_taken_the_walk_steps_by_root_three() -> None:
    found = steps(trial(0.3, 0.85), trial(1.0, 0.80), trial(0.1, 0.82))
    assert found == (0, [round(0.3 / math.sqrt(3), 4), round(0.3 * math.sqrt(3), 4)])


def test_the_walk_ends_when_every_step_is_taken() -> None:
    root = math.sqrt(3)
    assert steps(trial(0.3, 0.85), trial(0.9, 0.80), trial(0.1, 0.82), trial(0.3 * root, 0.84),
                 trial(0.3 / root, 0.83)) == (0, [])


def test_steps_stay_inside_the_space() -> None:
    # C 5 × 3 would be 15: the space ends at 10. From C 8 the end is too near to try.
    assert steps(trial(5.0, 0.85)) == (0, [1.6667, 10.0])
    assert steps(trial(8.0, 0.85)) == (0, [2.6667])


def test_a_loss_walks_from_its_lowest_trial() -> None:
    assert steps(trial(0.3, 0.20), trial(1.0, 0.25), maximize=False) == (0, [0.1])


def test_other_families_have_no_say() -> None:
    assert steps(trial(0.3, 0.80), trial(1.0, 0.95, family="ngram")) == (0, [0.1, 0.9])


def waiting_cs(study: optuna.Study) -> list[float]:
    return sorted(round(storage.queued_params(t)["linear_c"], 4)
                  for t in study.get_trials(states=(TrialState.WAITING,)))


def test_the_callback_queues_the_steps_once_and_follows_a_better_one() -> None:
    study = study_of(trial(0.05, 0.80), trial(1.0, 0.85))
    walk = WalkAlongC(default_space())
    walk(study, study.trials[-1])
    assert waiting_cs(study) == [0.3333, 3.0]
    queued = study.get_trials(states=(TrialState.WAITING,))
    assert {t.user_attrs[TrialAttr.WALKED_FROM] for t in queued} == {1}
    assert storage.queued_params(queued[0])["ngram_weighting"] == "tfidf"
    walk(study, study.trials[1])  # the steps are queued already: the walk waits for them
    assert waiting_cs(study) == [0.3333, 3.0]
    # C 3 runs and is better: the walk goes on from it (C 1 is taken, C 9 is new).
    study.add_trial(trial(3.0, 0.90))
    walk(study, study.trials[-1])
    assert waiting_cs(study) == [0.3333, 3.0, 9.0]


def test_no_walk_where_the_space_fixes_c() -> None:
    study = study_of(trial(0.3, 0.80))
    WalkAlongC(parse_space({"params": {"linear_c": 0.5}}))(study, study.trials[-1])
    assert waiting_cs(study) == []


def test_the_walk_queues_no_more_than_the_trial_budget_has_room_for() -> None:
    study = study_of(trial(0.05, 0.80), trial(1.0, 0.85), n_trials=3)
    WalkAlongC(default_space())(study, study.trials[-1])
    assert len(waiting_cs(study)) == 1


def test_a_step_queued_twice_runs_once() -> None:
    """Two workers that finish trials at the same moment may both queue a step: the later of
    the two is skipped when it starts, naming the earlier; a trial of other settings runs."""
    study = study_of(trial(0.05, 0.80), trial(1.0, 0.85))
    for _ in range(2):  # as two workers' callbacks, each before the other's steps are seen
        study.enqueue_trial({**study.trials[1].params, "linear_c": 3.0},
                            user_attrs={TrialAttr.WALKED_FROM: 1})
    first, second = (study.ask() for _ in range(2))
    for t in (first, second):
        t.suggest_categorical("family", ["linear", "ngram"])
        t.suggest_categorical("ngram_weighting", ["tfidf", "count"])
        t.suggest_float("linear_c", 0.01, 10.0, log=True)
    assert walk_skip(study, first.number, first.params, 1) is None
    said = walk_skip(study, second.number, second.params, 1)
    assert said is not None and f"trial {first.number} has these settings" in said
    assert walk_skip(study, second.number, {**second.params, "linear_c": 9.0}, 1) is None
    assert walk_skip(study, second.number, second.params, None) is None  # no walk step
