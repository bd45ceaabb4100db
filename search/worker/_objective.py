"""One Optuna trial: sample params, train, report every epoch, record what the trial found."""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from typing import Any

import optuna

import storage
from search._errors import TrialFailed, TrialLost
from search.metrics import RECORDED, Detail, TrialAttr
from search.study import BASELINES_ATTR, StudyConfig
from search.training import EpochReport, FitSettings, Trainer, TrainResult
from search.worker._grid import grid_skip
from search.worker._growth import promotion
from search.worker._keeper import ModelKeeper
from search.worker._progress import Progress
from search.worker._signals import StopSignals
from search.worker._walk import walk_skip
from spaces import Task, suggest_params
from spaces.families import BASELINE
from spaces.features import StudyData

log = logging.getLogger("hpsearch")
# A trial may spend at most this share of the worker's time budget on COST_EPOCHS epochs
# (search.training's cost cap): a 4-layer BiLSTM cannot eat a 10-minute CPU search.
COST_SHARE = 0.25
BASELINE_NAME = "tfidf_logreg"  # the baselines' key of the TF-IDF + LR starting point


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def record_metrics(trial: optuna.Trial, metrics: dict[str, Any], task: Task) -> None:
    """Metrics of the best epoch as flat trial attributes (the dashboard shows them)."""
    for metric in RECORDED[task]:
        if metric in metrics:
            trial.set_user_attr(metric, round(float(metrics[metric]), 6))
    for detail in Detail:
        if detail in metrics:
            trial.set_user_attr(detail, metrics[detail])


class Objective:
    """Callable for ``study.optimize``; holds the data a worker loaded once."""

    def __init__(self, config: StudyConfig, data: StudyData, trainer: Trainer,
                 progress: Progress | None = None, signals: StopSignals | None = None,
                 deadline: float | None = None, keeper: ModelKeeper | None = None):
        """``signals`` lets SIGTERM and SIGINT interrupt training (``WorkerInterrupted``),
        never a database write. ``deadline`` (``time.monotonic()``): the end of this worker's
        time budget; a trial stops at its last epoch end before it, and a trial that would
        need more than ``COST_SHARE`` of the budget for a few epochs does not go on.
        ``keeper`` stores the trained models of the best trials. The trainer encodes the data
        here, once for every trial of this worker."""
        self.deadline, self.keeper = deadline, keeper
        self.cost_limit_s = (None if deadline is None
                             else COST_SHARE * max(deadline - time.monotonic(), 0.0))
        self.trainer = trainer
        self.config = config
        self.space = config.parsed_space()
        self.progress = progress
        self.devices = trainer.configure_devices()
        self.prepared = trainer.prepare(data)
        self.held_y = data.y_held
        self.n_val = len(data.y_val)
        self.signals = signals or StopSignals()
        self.current_trial_id: int | None = None
        # Seconds to keep before the deadline for what follows the trials (a refit).
        self.final_cost: Callable[[], float] | None = None
        self._room: float | None = None  # the time left when the final cost first fitted

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
        self.signals.check()
        params = self._start(trial)
        skipped = (grid_skip(trial.study, params, trial.user_attrs.get(TrialAttr.STARTING_POINT))
                   or walk_skip(trial.study, trial.number, trial.params,
                                trial.user_attrs.get(TrialAttr.WALKED_FROM)))
        if skipped:
            trial.set_user_attr(TrialAttr.PRUNED_REASON, skipped)
            raise optuna.TrialPruned(skipped)
        try:
            with self.signals.interruptible():
                result = self.trainer.fit(params, self.prepared, self._settings(trial),
                                          report=self._reporter(trial))
            value = self._record(trial, result)
            self._keep(trial, params, value, result)
            if trial.user_attrs.get(TrialAttr.STARTING_POINT) == BASELINE:
                self._record_baseline(trial, result)
            return value
        except TrialFailed as failure:
            trial.set_user_attr(TrialAttr.FAIL_REASON, failure.reason)
            raise
        finally:
            self.trainer.release()

    def _keep(self, trial: optuna.Trial, params: dict[str, Any], value: float,
              result: TrainResult) -> None:
        """Its model and probabilities, if among the best; a failure to keep them loses the
        files, never the trial."""
        if self.keeper is None:
            return
        try:
            self.keeper.offer(trial.study, trial.number, value, params["family"], lambda: (
                self.trainer.saved_model(params, self.prepared, result, self.config.task)),
                result.val_probs, result.held_probs)
        except Exception as exc:  # the trial's result stands; its files are not kept
            if storage.is_connection_error(exc):
                raise
            log.warning("trial %d: its model could not be kept (%s: %s)", trial.number,
                        type(exc).__name__, str(exc).splitlines()[0][:300] if str(exc) else "")

    def _record_baseline(self, trial: optuna.Trial, result: TrainResult) -> None:
        """The TF-IDF + logistic regression starting point is the study's baseline: its
        metrics on the held rows (its thresholds chosen on the others), beside the majority's."""
        if result.held_probs is None or self.held_y is None or not len(self.held_y):
            return
        from search.metrics import evaluate  # scikit-learn: once, for this trial alone
        found = evaluate(self.config.task.value, self.held_y, result.held_probs,
                         self.config.classes, thresholds=result.metrics.get(Detail.THRESHOLDS))
        baselines = dict(trial.study.user_attrs.get(BASELINES_ATTR) or {})
        baselines[BASELINE_NAME] = {m.value: float(found[m]) for m in RECORDED[self.config.task]
                                    if m in found}
        trial.study.set_user_attr(BASELINES_ATTR, baselines)

    def _start(self, trial: optuna.Trial) -> dict[str, Any]:
        """The trial's params, and who runs it where."""
        params = suggest_params(trial, self.space, self.config.task,
                                pretrained_embeddings=self.config.embeddings is not None)
        trial.set_user_attr(TrialAttr.WORKER, worker_name())
        trial.set_user_attr(TrialAttr.GPU, self.devices["device"])  # as TensorFlow found it
        if self.progress:
            self.progress.trial_started(trial.number)
        return params

    def _settings(self, trial: optuna.Trial) -> FitSettings:
        config, search = self.config, self.config.search
        return FitSettings(
            task=config.task, classes=config.classes, metric=config.metric,
            max_epochs=search.max_epochs, patience=search.patience,
            seed=config.data.seed + trial.number, deadline=self.trial_deadline(),
            cost_limit_s=self.cost_limit_s,
            promote=promotion(trial, self.n_val, self.signals, exempt=trial.user_attrs.get(
                TrialAttr.STARTING_POINT) == BASELINE))

    def trial_deadline(self) -> float | None:
        """The deadline less the time kept for what follows the trials."""
        return None if self.deadline is None else self.deadline - self.kept_seconds()

    def kept_seconds(self) -> float:
        """The seconds kept before the deadline for what follows the trials (``final_cost``),
        from the first time they fit in the time left, while they fit in what was left then:
        a refit that cannot end by the deadline is not waited for, and one that could is
        waited for even when a trial ended past its own deadline. Nothing to refit yet (no
        best trial, or one too big to refit) costs 0 s and fits no refit to come."""
        if self.deadline is None or self.final_cost is None:
            return 0.0
        cost = self.final_cost()
        if self._room is None and 0 < cost < self.deadline - time.monotonic():
            self._room = self.deadline - time.monotonic()
        return cost if self._room is not None and cost < self._room else 0.0

    def _reporter(self, trial: optuna.Trial) -> EpochReport:
        """Each epoch's objective to Optuna (never cut by a signal); True: prune."""
        search = self.config.search

        def report(epoch: int, metrics: dict[str, Any]) -> bool:
            value = float(metrics[self.config.metric])
            with self.signals.deferred():
                trial.report(value, epoch + 1)
                trial.set_user_attr(TrialAttr.EPOCH, epoch + 1)
                if self.progress:
                    self.progress.epoch_done(trial.number, epoch + 1, search.max_epochs, value)
                return trial.should_prune()

        return report

    def _record(self, trial: optuna.Trial, result: TrainResult) -> float:
        """Keep what the trial found; raise ``TrialPruned`` for a pruned one."""
        trial.set_user_attr(TrialAttr.TRAIN_SECONDS, round(result.seconds, 2))
        if result.shared_seconds:
            trial.set_user_attr(TrialAttr.SHARED_SECONDS, round(result.shared_seconds, 2))
        trial.set_user_attr(TrialAttr.POLICY, result.policy or self.devices["policy"])
        if result.over_cost:
            trial.set_user_attr(TrialAttr.PRUNED_REASON, result.over_cost)
            raise optuna.TrialPruned(result.over_cost)
        record_metrics(trial, result.metrics, self.config.task)
        _record_rows(trial, result)
        trial.set_user_attr(TrialAttr.BEST_EPOCH, result.best_epoch + 1)
        if result.logit_scale is not None:
            trial.set_user_attr(TrialAttr.LOGIT_SCALE, float(result.logit_scale))
        trial.set_user_attr(TrialAttr.EPOCHS_RUN, result.epochs_run)
        if result.pruned_reason:
            trial.set_user_attr(TrialAttr.PRUNED_REASON, result.pruned_reason)
            raise optuna.TrialPruned(result.pruned_reason)
        if result.pruned:
            trial.set_user_attr(TrialAttr.PRUNED_AT_EPOCH, result.epochs_run)
            trial.set_user_attr(TrialAttr.PRUNED_REASON, "the pruner")
            raise optuna.TrialPruned(f"pruned at epoch {result.epochs_run}")
        if result.stopped_early:
            trial.set_user_attr(TrialAttr.STOPPED_EARLY, True)
        if result.cut_by_deadline:
            trial.set_user_attr(TrialAttr.CUT_BY_DEADLINE, True)
        if result.not_converged:
            trial.set_user_attr(TrialAttr.NOT_CONVERGED, result.not_converged)
        return float(result.metrics[self.config.metric])


def _record_rows(trial: optuna.Trial, result: TrainResult) -> None:
    """The rows a trial's model was fitted on, why no more, and what a row cost its memory."""
    if result.row_bytes is not None:
        trial.set_user_attr(TrialAttr.ROW_BYTES, round(float(result.row_bytes)))
    if result.rows is None:
        return
    trial.set_user_attr(TrialAttr.ROWS, result.rows)
    trial.set_user_attr(TrialAttr.ROWS_SECONDS, round(float(result.rows_seconds or 0.0), 2))
    if result.rows_note:
        trial.set_user_attr(TrialAttr.ROWS_NOTE, result.rows_note)
