"""Progress of a worker: a live line on a terminal, plain log lines otherwise."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any, Protocol

import optuna
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress

from search.metrics import Direction, TrialAttr
from search.study import BUDGET_STATES, best_of

log = logging.getLogger("hpsearch")


class Progress(Protocol):
    """What a worker tells about its trials as they run."""

    def start(self, study: optuna.Study, n_trials: int | None, timeout: float | None, *,
              of_study: bool = False) -> None:
        """``n_trials``: the budget shown; ``of_study``: it is the study's, so the trials
        counted are the study's finished ones (every worker's), else this worker's."""
        ...

    def budget_changed(self, n_trials: int | None) -> None:
        """The study's budget now (``hpsearch update`` changed it)."""
        ...

    def trial_started(self, number: int) -> None:
        ...

    def epoch_done(self, number: int, epoch: int, max_epochs: int, value: float) -> None:
        ...

    def trial_finished(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        """Also an Optuna callback: called once each trial has finished."""
        ...

    def stop(self) -> None:
        ...


class LogProgress:
    """One log line per finished trial (and per epoch at debug level)."""

    def start(self, study: optuna.Study, n_trials: int | None, timeout: float | None, *,
              of_study: bool = False) -> None:
        self.n_trials = n_trials
        self.of_study = of_study
        self.done = 0
        self.failed = 0
        self.end = None if not timeout else time.monotonic() + timeout
        log.info("worker started: %s trials%s, timeout %s", n_trials or "unbounded",
                 " (the study's budget)" if of_study and n_trials else "",
                 f"{timeout:.0f}s" if timeout else "none")

    def budget_changed(self, n_trials: int | None) -> None:
        if self.of_study:
            self.n_trials = n_trials

    def trial_started(self, number: int) -> None:
        log.debug("trial %d started", number)

    def epoch_done(self, number: int, epoch: int, max_epochs: int, value: float) -> None:
        log.debug("trial %d epoch %d/%d: %.4f", number, epoch, max_epochs, value)

    def trial_finished(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        # Failed trials do not count against the study budget (see search.worker._remaining), so
        # they are counted apart: "[5/6 done, 1 failed]", never "[7/6 done]". Against the
        # study's budget, the study's trials are counted, whichever worker ran them.
        trials = study.get_trials(deepcopy=False)
        if self.of_study:
            self.done = sum(t.state in BUDGET_STATES for t in trials)
            self.failed = sum(t.state is optuna.trial.TrialState.FAIL for t in trials)
        elif trial.state is optuna.trial.TrialState.FAIL:
            self.failed += 1
        else:
            self.done += 1
        total = f"/{self.n_trials}" if self.n_trials else ""
        failed = f", {self.failed} failed" if self.failed else ""
        if trial.state is optuna.trial.TrialState.PRUNED:
            at = trial.user_attrs.get(TrialAttr.PRUNED_AT_EPOCH)
            detail = (f"at epoch {at}" if at is not None
                      else str(trial.user_attrs.get(TrialAttr.PRUNED_REASON, "")))
        elif trial.state is optuna.trial.TrialState.FAIL:
            detail = trial.user_attrs.get(TrialAttr.FAIL_REASON, "")
        else:
            detail = f"value {trial.value:.4f}"
        found = best_of(trials, Direction(study.direction.name.lower()))
        best = f", best {found.value:.4f} (trial {found.number})" if found else ""
        left = ("" if self.end is None
                else f", {max(self.end - time.monotonic(), 0):.0f}s left")
        log.info("trial %d %s %s [%d%s done%s]%s%s", trial.number, trial.state.name.lower(),
                 detail, self.done, total, failed, best, left)

    def stop(self) -> None:
        pass


class TerminalProgress(LogProgress):
    """A progress bar of trials with the current trial's epoch."""

    def __init__(self, console: Console | None = None):
        self.console = console or Console(stderr=True)
        self.bar = RichProgress(TextColumn("{task.description}"), BarColumn(),
                                MofNCompleteColumn(), TimeElapsedColumn(),
                                TextColumn("{task.fields[detail]}"), console=self.console,
                                transient=False)
        self.task_id: Any = None

    def start(self, study: optuna.Study, n_trials: int | None, timeout: float | None, *,
              of_study: bool = False) -> None:
        self.bar.start()
        super().start(study, n_trials, timeout, of_study=of_study)
        self.task_id = self.bar.add_task("trials", total=n_trials, detail="")

    def budget_changed(self, n_trials: int | None) -> None:
        super().budget_changed(n_trials)
        if self.of_study:
            self.bar.update(self.task_id, total=n_trials)

    def trial_started(self, number: int) -> None:
        self.bar.update(self.task_id, detail=f"trial {number}: building")

    def epoch_done(self, number: int, epoch: int, max_epochs: int, value: float) -> None:
        self.bar.update(self.task_id, detail=f"trial {number}: epoch {epoch}/{max_epochs} "
                                             f"({value:.4f})")

    def trial_finished(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        super().trial_finished(study, trial)
        failed = f" ({self.failed} failed)" if self.failed else ""
        self.bar.update(self.task_id, completed=self.done,
                        description=f"trials{failed}")

    def stop(self) -> None:
        self.bar.stop()


def make_progress(force_plain: bool = False) -> LogProgress:
    if not force_plain and sys.stderr.isatty():
        return TerminalProgress()
    return LogProgress()
