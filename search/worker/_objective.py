"""One Optuna trial: sample params, train, report every epoch, record what the trial found."""

from __future__ import annotations

import os
import socket
from typing import Any

import optuna

import storage
from search._errors import TrialFailed, TrialLost
from search.data._prepared import Prepared
from search.study._config import StudyConfig
from search.worker._signals import StopSignals
from spaces import suggest_params

SUMMARY = ("val_loss", "accuracy", "macro_f1", "precision", "recall", "f1_positive", "pr_auc",
           "pr_auc_micro", "pr_auc_macro", "hamming_accuracy", "all_zero_rows",
           "positive_rate")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def record_metrics(trial: optuna.Trial, metrics: dict[str, Any]) -> None:
    """Metrics of the best epoch as flat trial attributes (the dashboard shows them)."""
    for key in SUMMARY:
        if key in metrics:
            trial.set_user_attr(key, round(float(metrics[key]), 6))
    for key in ("thresholds", "per_class", "confusion_matrix"):
        if key in metrics:
            trial.set_user_attr(key, metrics[key])


class Objective:
    """Callable for ``study.optimize``; holds the data a worker loaded once."""

    def __init__(self, config: StudyConfig, prepared: Prepared,
                 progress: Any = None, trainer: Any = None, signals: StopSignals | None = None):
        """``trainer`` provides ``fit``, ``release`` and ``configure_devices`` (the module
        ``search.training._trainer`` unless a test passes a scripted one). ``signals`` lets
        SIGTERM and SIGINT interrupt training (``WorkerInterrupted``), never a database
        write."""
        if trainer is None:
            from search.training import _trainer as trainer

        self.trainer = trainer
        self.config = config
        self.prepared = prepared
        self.space = config.parsed_space()
        self.progress = progress
        self.devices = trainer.configure_devices()
        self.val_input = trainer.validation_input(prepared)
        self.signals = signals or StopSignals()
        self.current_trial_id: int | None = None

    def __call__(self, trial: optuna.Trial) -> float:
        """Run one trial. If a stale-trial check failed it meanwhile (this worker could not
        heartbeat), raise ``TrialLost``, which Optuna does not catch: the trial is queued again
        already, and nothing more is written to it."""
        self.current_trial_id = storage.trial_id(trial)
        try:
            return self._run(trial)
        except optuna.exceptions.UpdateFinishedTrialError:
            raise TrialLost(trial.number) from None

    def _run(self, trial: optuna.Trial) -> float:
        config = self.config
        self.signals.check()
        params = suggest_params(trial, self.space, config.task,
                                pretrained_embeddings=config.embeddings is not None)
        trial.set_user_attr("worker", worker_name())
        trial.set_user_attr("gpu", os.environ.get("CUDA_VISIBLE_DEVICES") or
                            (",".join(self.devices["gpus"]) or "cpu"))
        if self.progress:
            self.progress.trial_started(trial.number)

        def report(epoch: int, metrics: dict[str, Any]) -> bool:
            value = float(metrics[config.metric])
            with self.signals.deferred():
                trial.report(value, epoch + 1)
                trial.set_user_attr("epoch", epoch + 1)
                if self.progress:
                    self.progress.epoch_done(trial.number, epoch + 1, config.max_epochs, value)
                return trial.should_prune()

        try:
            with self.signals.interruptible():
                result = self.trainer.fit(
                    params, self.prepared, task=config.task, classes=config.classes,
                    metric=config.metric, max_epochs=config.max_epochs,
                    patience=config.patience, report=report, datasets=self.val_input,
                    seed=config.seed + trial.number)
        except TrialFailed as failure:
            trial.set_user_attr("fail_reason", failure.reason)
            raise
        finally:
            self.trainer.release()
        record_metrics(trial, result.metrics)
        trial.set_user_attr("best_epoch", result.best_epoch + 1)
        trial.set_user_attr("epochs_run", result.epochs_run)
        if result.pruned:
            trial.set_user_attr("pruned_at_epoch", result.epochs_run)
            raise optuna.TrialPruned(f"pruned at epoch {result.epochs_run}")
        if result.stopped_early:
            trial.set_user_attr("stopped_early", True)
        return float(result.metrics[config.metric])
