"""Studies to look at, made without TensorFlow by the scripted trainer (with the per-class
metrics and confusion matrix the real trainer records), plus a way to leave a trial RUNNING as
if a worker were still on it."""

from __future__ import annotations

from pathlib import Path

from search import create_study, run_worker
from search.options import PrunerName
from search.study import open_study
from spaces import suggest_params
from tests.scripted_trainer import ScriptedTrainer


def make_study(name: str, data: Path, url: str, *, n_trials: int = 5,
               fail_on: set[int] | None = None, prune_on: set[int] | None = None,
               pruner: PrunerName = PrunerName.NONE, max_epochs: int = 4) -> None:
    """A study with ``n_trials`` finished (complete or pruned) trials, the calls in
    ``fail_on`` failed and those in ``prune_on`` pruned, run by the detailed scripted
    trainer."""
    create_study(name, data, storage_url=url, metric="val_loss",
                 max_epochs=max_epochs, pruner=pruner,
                 n_trials=n_trials)
    run_worker(name, url, seed=0, trainer=ScriptedTrainer(fail_on or (), prune_on=prune_on or (),
                                                       detailed=True))


def leave_running(name: str, url: str, epochs: int = 2) -> int:
    """Start a trial and report ``epochs`` epochs, as a worker that is still on it would;
    returns its number. (No heartbeat: nothing will fail it while the test looks.)"""
    study, config = open_study(name, url)
    trial = study.ask()
    suggest_params(trial, config.parsed_space(), config.task)
    for epoch in range(1, epochs + 1):
        trial.report(1.5 + 1.0 / epoch, epoch)
    trial.set_user_attr("worker", "gpu-box-7:4242")
    trial.set_user_attr("gpu", "0")
    trial.set_user_attr("epoch", epochs)
    return trial.number


def fail_only(name: str, data: Path, url: str, failures: int = 3) -> None:
    """A study whose every trial failed."""
    create_study(name, data, storage_url=url, metric="val_loss",
                 max_epochs=3, pruner=PrunerName.NONE)
    run_worker(name, url, n_trials=failures, trainer=ScriptedTrainer(fail_on=set(
        range(failures))))


__all__ = ["fail_only", "leave_running", "make_study"]
