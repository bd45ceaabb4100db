"""The trial loop of a worker: one trial at a time, until its own budget or the study's is
spent, a stop signal comes, or too many trials fail in a row.

Before each trial the loop reads the study's budget from the storage again (``hpsearch
update`` changes it under running workers) and caps the trials this process may start with it
(``storage.cap_trials``): the check and the start of the trial are one transaction, so N
workers on a budget of B finish exactly B trials. When the budget is full only because trials
are still running, the worker waits: one of them may fail and free its slot.

Near its deadline a worker starts no trial it has seen take longer than the time left (its
``own_seconds``: less what it spent encoding training rows kept for every later trial): a
queued one of a family whose longest trial here took more than that stays queued (one of a
family not timed here needs a first epoch at the cost cap), and with none queued the slowest
family's quickest trial here must fit (at most a first epoch at the cost cap): the sampler's
pick is unknown until it starts. The default sampler (``FamilyBySeconds``) is told the time
left and picks among the families whose quickest trial fits, so then the quickest family's
quickest trial must fit; and when a queued trial does not fit but a sampled one does, the
sampled one goes first (the queued one waits for the next run). While time is kept for
refitting the answer on every row, a trial of a family not timed here starts only with twice
what it needs left: a trial that overruns eats the refit, which is worth more than one more
trial.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack, nullcontext

import optuna
from optuna.trial import TrialState

import storage
from search._errors import ConsecutiveFailures, TrialFailed, TrialLost, WorkerInterrupted
from search.metrics import TrialAttr
from search.options import WorkerOptions
from search.study import BUDGET_STATES, FamilyBySeconds, config_of, own_seconds, trained
from search.training import COST_EPOCHS
from search.worker._objective import Objective
from search.worker._remaining import seconds_left

log = logging.getLogger("hpsearch")
# How often a worker looks again at a budget filled by running trials.
BUDGET_POLL_S = 1.0
# How much more time than its estimate must be left for a trial of a family not timed here,
# while time is kept for the refit. On fortunes.csv an n-gram MLP, the first of its family,
# started with 13 s left for a first epoch estimated at 9 s, took 26 s (building and
# encoding), and the 2-minute run's answer was not refitted: 2.7 points of macro-F1 lost on
# test. (A family timed here is not held to it: on the 24k-row set it stopped a 2-minute run
# after one trial, with 38 s left for trials of 5 to 31 s.)
REFIT_MARGIN = 2.0


class _Tally:
    """Optuna callback: this worker's finished trials, and its current run of failed ones."""

    def __init__(self) -> None:
        self.count = 0
        self.failures: list[tuple[int, str]] = []
        self.seconds: dict[str, list[float]] = {}  # by family, of finished trials

    def __call__(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        self.count += 1
        if trained(trial):
            family = str(trial.params.get("family"))
            self.seconds.setdefault(family, []).append(own_seconds(trial))
        if trial.state is TrialState.FAIL:
            reason = trial.user_attrs.get(TrialAttr.FAIL_REASON, "no reason recorded")
            self.failures.append((trial.number, str(reason)))
        else:
            self.failures.clear()


class TrialLoop:
    """Runs the trials of one worker (``run``); see the module's docstring."""

    def __init__(self, study: optuna.Study, objective: Objective, options: WorkerOptions,
                 after_trial: Sequence[Callable[[optuna.Study, optuna.trial.FrozenTrial], None]]
                 = ()):
        """``after_trial``: called after each trial in turn, as Optuna calls its callbacks."""
        self.study = study
        self.objective = objective
        self.options = options
        self.tally = _Tally()
        self.callbacks: list[Callable[[optuna.Study, optuna.trial.FrozenTrial], None]] = [
            self.tally]
        if objective.progress:
            self.callbacks.append(objective.progress.trial_finished)
        self.callbacks.extend(after_trial)
        self.budget_seen: int | None = None
        self.waiting = False
        self.skip_queue = False

    def run(self, url: str, handle_signals: bool, deadline: float | None) -> int | None:
        """Run trials until ``deadline`` (``time.monotonic()``) at most; the number of the
        trial failed as "interrupted" and queued again by a stop signal, if any. Raises
        ``ConsecutiveFailures`` after too many failures in a row, and ``StorageError`` once
        the storage is lost for longer than ``--reconnect-timeout``."""
        signals, options = self.objective.signals, self.options
        try:
            with ExitStack() as stack:
                if handle_signals:
                    stack.enter_context(signals)
                signals.study = self.study
                stack.enter_context(storage.StaleTrialWatch(self.study,
                                                            options.heartbeat_interval, url))
                while not signals.requested:
                    if options.n_trials is not None and self.tally.count >= options.n_trials:
                        break
                    if deadline is not None and not self._time_for_one(deadline):
                        break
                    if not self._next_trial():
                        break
                    if len(self.tally.failures) >= options.max_consecutive_failures:
                        raise ConsecutiveFailures(self.tally.failures,
                                                  options.max_consecutive_failures)
                current = self.objective.current_trial_id
                if signals.requested and current is not None:
                    return storage.fail_and_requeue(self.study, current, "interrupted")
        except Exception as exc:
            if storage.is_connection_error(exc):
                raise self._storage_lost(exc, url) from None
            raise
        return None

    def _time_for_one(self, deadline: float) -> bool:
        """Whether the next trial may start, ``deadline`` seconds (``time.monotonic()``)
        being the end; see the module's docstring. Sets ``skip_queue`` when a sampled trial
        is to go before the queued ones."""
        kept = self.objective.kept_seconds()
        left = deadline - time.monotonic() - kept
        self.skip_queue = False
        if left <= 0:
            if kept:
                log.info("%.0f s kept for refitting the best trial on every row: no other "
                         "trial starts", kept)
            return False
        sampler = self.study.sampler
        by_seconds = sampler if isinstance(sampler, FamilyBySeconds) else None
        if by_seconds:  # it picks among the families that fit
            by_seconds.seconds_left = left
            by_seconds.untimed_needs_s = self._first_epoch_s() * (REFIT_MARGIN if kept else 1.0)
            by_seconds.quickest_here = {f: min(s) for f, s in self.tally.seconds.items()}
        queued = self.study.get_trials(deepcopy=False, states=(TrialState.WAITING,))
        family = storage.queued_params(queued[0]).get("family") if queued else None
        quickest = [min(s) for s in self.tally.seconds.values()]
        took = self.tally.seconds.get(family, []) if family else quickest
        if family:
            # A family not timed here may take a whole first epoch at the cost cap.
            needs = max(took) if took else self._first_epoch_s()
        elif by_seconds:
            needs = min(quickest, default=0.0)
        else:
            # The sampler's pick, unknown until it starts: the slowest family's quickest trial
            # here, at most a first epoch at the cost cap.
            needs = min(max(quickest, default=0.0), self._first_epoch_s() or float("inf"))
        margin = REFIT_MARGIN if kept and not took else 1.0
        if needs * margin <= left:
            return True
        if family and by_seconds and quickest and min(quickest) <= left:
            log.info("%.0f s left: too little for the queued %s trial (it needs %.0f s); a "
                     "sampled trial that fits goes first, and the queued one waits for the next "
                     "run", left, family, needs * margin)
            self.skip_queue = True
            return True
        log.info("%.0f s left: too little for another trial (%s needs %.0f s%s)", left,
                 f"a {family} trial" if family else "the quickest", needs,
                 ", and twice that is wanted while the refit's time is kept"
                 if margin > 1 else "")
        return False

    def _first_epoch_s(self) -> float:
        """The longest first epoch the cost cap lets a trial run: its share of the budget
        for ``COST_EPOCHS`` epochs, one of them."""
        limit = self.objective.cost_limit_s
        return 0.0 if limit is None else limit / COST_EPOCHS

    def _next_trial(self) -> bool:
        """Run one trial, or wait a moment for a slot of the study's budget; False once the
        study's budget is spent."""
        config = config_of(self.study)
        if seconds_left(config) == 0:
            log.info("the study's time budget is spent")
            return False
        limit = config.budget.n_trials
        if limit != self.budget_seen and self.objective.progress:
            self.objective.progress.budget_changed(limit)
        self.budget_seen = limit
        storage.cap_trials(self.study, limit, BUDGET_STATES)
        try:
            # No gc_after_trial: the trainer's release() collects after every trial already.
            with storage.sampled_first(self.study) if self.skip_queue else nullcontext():
                self.study.optimize(self.objective, n_trials=1, catch=(TrialFailed,),
                                    callbacks=self.callbacks)
        except storage.BudgetSpent as full:
            return self._wait_for_room(full)
        except TrialLost as lost:
            log.warning("%s while this worker could not heartbeat; it is queued again. "
                        "Going on.", lost)
        except WorkerInterrupted:
            pass  # the loop sees the request and stops
        except Exception as exc:
            number = storage.lost_to_stale_check(exc, self.study,
                                                 self.objective.current_trial_id)
            if number is None:
                raise
            log.warning("trial %d was failed by a stale-trial check just as it finished, and "
                        "is queued again; its result here is dropped. Going on.", number)
        self.waiting = False
        return True

    def _wait_for_room(self, full: storage.BudgetSpent) -> bool:
        if full.running == 0:
            log.info("%s", full)
            return False
        if not self.waiting:
            log.info("%s; waiting in case one of them fails and frees its slot", full)
            self.waiting = True
        time.sleep(BUDGET_POLL_S)
        return True

    def _storage_lost(self, exc: Exception, url: str) -> storage.StorageError:
        said = storage.mask_secrets(storage.connection_error_text(exc), url)
        return storage.StorageError(
            f"Lost the study storage {storage.mask_url(url)} for more than "
            f"{self.options.reconnect_timeout:.0f}s (--reconnect-timeout): {said}. Its trial in "
            "flight stays RUNNING until another worker's stale-trial check fails it and "
            "queues it again.")
