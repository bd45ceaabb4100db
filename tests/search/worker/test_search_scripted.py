"""Search logic with a scripted trainer: pruning, failures, budgets, bookkeeping (no TF)."""

import logging
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

import search.worker._worker
import storage
from search import create_study, run_worker, study_status
from search.options import PrunerName, SamplerName
from search.study._open import open_study
from search.worker import Objective
from tests.scripted_trainer import ScriptedTrainer


def test_trials_are_recorded_pruned_and_failed_with_reasons(
        storage_url: str, study_name: str, multiclass_csv: Path) -> None:
    create_study(study_name, multiclass_csv, storage_url=storage_url, metric="val_loss",
                 max_epochs=6,
                 pruner=PrunerName.MEDIAN, n_trials=30,  # past the starting points
                 sampler=SamplerName.RANDOM)  # networks to prune, whatever the trials' seconds
    trainer = ScriptedTrainer(fail_on={2})
    summary = run_worker(study_name, storage_url, seed=0, trainer=trainer)
    study, config = open_study(study_name, storage_url)
    trials = study.get_trials()
    states = [t.state for t in trials]
    assert states.count(TrialState.COMPLETE) + states.count(TrialState.PRUNED) == 30
    assert states.count(TrialState.FAIL) == 1
    assert states.count(TrialState.PRUNED) >= 1
    failed = next(t for t in trials if t.state is TrialState.FAIL)
    assert failed.user_attrs["fail_reason"] == "training loss became nan at epoch 1"
    done = [t for t in trials if t.state is TrialState.COMPLETE]
    assert {t.params["family"] for t in done} > {"linear"}  # the expert's grid, and others
    for t in done:
        epochs = 1 if t.params["family"] == "linear" else 6  # solved in one step
        assert t.user_attrs["best_epoch"] == epochs
        assert set(t.intermediate_values) == set(range(1, epochs + 1))
        assert t.user_attrs["val_loss"] == pytest.approx(t.value, abs=1e-6)
    pruned = next(t for t in trials if t.state is TrialState.PRUNED)
    assert pruned.user_attrs["pruned_at_epoch"] == max(pruned.intermediate_values)
    assert summary.trials_run == 31


def test_study_budget_bounds_every_worker(storage_url: str, study_name: str,
                                          multiclass_csv: Path) -> None:
    create_study(study_name, multiclass_csv, storage_url=storage_url, metric="val_loss",
                 max_epochs=2,
                 pruner=PrunerName.NONE, n_trials=3)
    run_worker(study_name, storage_url, trainer=ScriptedTrainer())
    again = run_worker(study_name, storage_url, trainer=ScriptedTrainer())
    assert again.trials_run == 0
    status = study_status(study_name, storage_url).to_dict()
    assert status["counts"] == {"COMPLETE": 3}
    assert status["best"]["metrics"]["val_loss"] == pytest.approx(status["best"]["value"], abs=1e-6)
    assert set(status["baselines"]) == {"majority", "tfidf_logreg"}


@pytest.mark.parametrize("outcome", ["complete", "pruned"])
def test_a_trial_failed_by_a_stale_check_as_it_finishes_is_dropped_and_the_worker_goes_on(
        outcome: str, storage_url: str, study_name: str, multiclass_csv: Path,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """The stale-trial check of another worker fails trial 1 in the instant between its
    objective's end and Optuna's record of it; Optuna then raises "Cannot tell a FAIL trial"
    (or "Should not reach.")."""
    create_study(study_name, multiclass_csv, storage_url=storage_url, metric="val_loss",
                 max_epochs=3,
                 pruner=PrunerName.NONE, n_trials=3)

    class FailedAsItFinishes(Objective):
        def __call__(self, trial: optuna.Trial) -> float:
            try:
                return super().__call__(trial)
            finally:
                if trial.number == 1:
                    storage.fail_and_requeue(trial.study, storage.trial_id(trial),
                                             "no heartbeat for more than 2s")

    monkeypatch.setattr(search.worker._worker, "Objective", FailedAsItFinishes)
    trainer = ScriptedTrainer(prune_on={1} if outcome == "pruned" else set(), detailed=True)
    with caplog.at_level(logging.WARNING, logger="hpsearch"):
        run_worker(study_name, storage_url, trainer=trainer)
    trials = open_study(study_name, storage_url)[0].get_trials()
    assert trials[1].state is TrialState.FAIL
    assert trials[1].user_attrs["fail_reason"] == "no heartbeat for more than 2s"
    [retry] = [t for t in trials if t.system_attrs.get("failed_trial") == 1]
    assert retry.state is TrialState.COMPLETE and retry.params == trials[1].params
    assert [t.state for t in trials].count(TrialState.COMPLETE) == 3
    assert "trial 1 was failed by a stale-trial check just as it finished, and is queued " \
           "again; its result here is dropped. Going on." in caplog.messages
