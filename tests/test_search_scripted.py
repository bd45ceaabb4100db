"""Search logic with a scripted trainer: pruning, failures, budgets, bookkeeping (no TF)."""

from pathlib import Path

import pytest
from optuna.trial import TrialState

from search import create_study, run_worker, study_status
from search.options import PrunerName
from search.study._open import open_study
from tests.conftest import ScriptedTrainer


def test_trials_are_recorded_pruned_and_failed_with_reasons(
        storage_url: str, study_name: str, multiclass_csv: Path) -> None:
    create_study(study_name, multiclass_csv, storage_url=storage_url, max_epochs=6,
                 pruner=PrunerName.MEDIAN, n_trials=12)
    trainer = ScriptedTrainer(fail_on={2})
    summary = run_worker(study_name, storage_url, seed=0, trainer=trainer)
    study, config = open_study(study_name, storage_url)
    trials = study.get_trials()
    states = [t.state for t in trials]
    assert states.count(TrialState.COMPLETE) + states.count(TrialState.PRUNED) == 12
    assert states.count(TrialState.FAIL) == 1
    assert states.count(TrialState.PRUNED) >= 1
    failed = next(t for t in trials if t.state is TrialState.FAIL)
    assert failed.user_attrs["fail_reason"] == "training loss became nan at epoch 1"
    done = [t for t in trials if t.state is TrialState.COMPLETE]
    for t in done:
        assert t.user_attrs["best_epoch"] == 6
        assert set(t.intermediate_values) == set(range(1, 7))
        assert t.user_attrs["val_loss"] == pytest.approx(t.value, abs=1e-6)
    pruned = next(t for t in trials if t.state is TrialState.PRUNED)
    assert pruned.user_attrs["pruned_at_epoch"] == max(pruned.intermediate_values)
    assert summary.trials_run == 13


def test_study_budget_bounds_every_worker(storage_url: str, study_name: str,
                                          multiclass_csv: Path) -> None:
    create_study(study_name, multiclass_csv, storage_url=storage_url, max_epochs=2,
                 pruner=PrunerName.NONE, n_trials=3)
    run_worker(study_name, storage_url, trainer=ScriptedTrainer())
    again = run_worker(study_name, storage_url, trainer=ScriptedTrainer())
    assert again.trials_run == 0
    status = study_status(study_name, storage_url).to_dict()
    assert status["counts"] == {"COMPLETE": 3}
    assert status["best"]["metrics"]["val_loss"] == pytest.approx(status["best"]["value"], abs=1e-6)
    assert set(status["baselines"]) == {"majority", "tfidf_logreg"}
