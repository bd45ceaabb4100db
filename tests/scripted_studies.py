"""Studies to look at, made without TensorFlow: the scripted trainer of conftest, extended
with the per-class metrics and confusion matrix the real trainer records, plus a way to leave
a trial RUNNING as if a worker were still on it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from search import create_study, run_worker
from search.options import PrunerName
from search.study._open import open_study
from search.training import FitSettings
from spaces import Task, suggest_params
from tests.conftest import ScriptedTrainer


class DetailedTrainer(ScriptedTrainer):
    """The scripted trainer whose best epoch also carries ``per_class`` and (single-label)
    ``confusion_matrix``, derived from the loss so that they differ between trials; the calls
    in ``prune_on`` are pruned at epoch ``prune_epoch`` whatever the pruner says (so a test
    gets pruned trials whatever its study's name: Hyperband's brackets hash the name)."""

    def __init__(self, fail_on: set[int] | None = None, prune_on: set[int] | None = None,
                 prune_epoch: int = 2):
        super().__init__(fail_on=fail_on)
        self.prune_on = prune_on or set()
        self.prune_epoch = prune_epoch

    def fit(self, params: dict[str, Any], prepared: Any, settings: FitSettings, *,
            report: Any, datasets: Any) -> Any:
        forced = self.calls in self.prune_on

        def report_or_prune(epoch: int, metrics: dict[str, Any]) -> bool:
            should_prune = bool(report(epoch, metrics))
            return should_prune or (forced and epoch + 1 >= self.prune_epoch)

        result = super().fit(params, prepared, settings, report=report_or_prune,
                             datasets=datasets)
        result.metrics.update(per_class_metrics(settings.task, settings.classes,
                                                result.metrics["val_loss"]))
        return result


def per_class_metrics(task: Task, classes: list[str], loss: float) -> dict[str, Any]:
    """Plausible per-class figures: class i scores a little worse than class i-1."""
    quality = 1.0 / loss
    per_class = {
        label: {"precision": round(quality * (1 - 0.05 * i), 4),
                "recall": round(quality * (1 - 0.08 * i), 4),
                "f1": round(quality * (1 - 0.065 * i), 4),
                "support": 40 + 10 * i}
        for i, label in enumerate(classes)
    }
    out: dict[str, Any] = {"per_class": per_class}
    if task is not Task.MULTILABEL:
        n = len(classes)
        out["confusion_matrix"] = [
            [int(40 + 10 * i - 3 * (n - 1)) if i == j else 3 for j in range(n)]
            for i in range(n)
        ]
    return out


def make_study(name: str, data: Path, url: str, *, n_trials: int = 5,
               fail_on: set[int] | None = None, prune_on: set[int] | None = None,
               pruner: PrunerName = PrunerName.NONE, max_epochs: int = 4) -> None:
    """A study with ``n_trials`` finished (complete or pruned) trials, the calls in
    ``fail_on`` failed and those in ``prune_on`` pruned, run by the detailed scripted
    trainer."""
    create_study(name, data, storage_url=url, metric="val_loss",
                 max_epochs=max_epochs, pruner=pruner,
                 n_trials=n_trials)
    run_worker(name, url, seed=0, trainer=DetailedTrainer(fail_on=fail_on, prune_on=prune_on))


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


__all__ = ["DetailedTrainer", "fail_only", "leave_running", "make_study"]
