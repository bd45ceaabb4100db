"""`hpsearch run --timeout T` ends about T after the command started, `create` included: the
trial running then stops at its next epoch end, and no trial starts after it."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

import optuna
import pytest
from optuna.trial import TrialState

import search.worker._run_search
from search import create_study, run_worker
from search.options import PrunerName, WorkerOptions
from search.study import open_study, own_seconds, trained
from search.training import COST_EPOCHS
from search.worker import run_search
from search.worker._loop import TrialLoop
from tests.scripted_trainer import ScriptedTrainer

CREATE_S, EPOCH_S, TIMEOUT = 3.0, 0.5, 8.0


@pytest.mark.alone
def test_run_counts_its_timeout_from_its_start(monkeypatch: pytest.MonkeyPatch,
                                               sqlite_url: str, multiclass_csv: Path) -> None:
    create = search.worker._run_search.create_study

    def slow_create(*args: object, **kwargs: object) -> object:
        time.sleep(CREATE_S)  # a create as slow as a large table's
        return create(*args, **kwargs)

    monkeypatch.setattr(search.worker._run_search, "create_study", slow_create)
    real_worker = search.worker._run_search.run_worker
    monkeypatch.setattr(search.worker._run_search, "run_worker", lambda *a, **k: real_worker(
        *a, trainer=ScriptedTrainer(epoch_s=EPOCH_S), **k))
    started, entered = time.monotonic(), time.time()
    run_search("r", multiclass_csv, storage_url=sqlite_url, started=started, ensemble=False,
               worker_options=WorkerOptions(n_trials=1000, timeout=TIMEOUT),
               max_epochs=100, pruner=PrunerName.NONE)
    took = time.monotonic() - started
    # Within one epoch of the deadline (and a little for the last writes), or a little early
    # when what is left is shorter than the quickest trial here (a one-epoch linear trial);
    # counted from after create, it would have ended near CREATE_S + TIMEOUT.
    assert TIMEOUT - 2 * EPOCH_S <= took <= TIMEOUT + EPOCH_S + 1.0, took
    study, _ = open_study("r", sqlite_url)
    finished = [t for t in study.trials if t.datetime_complete]
    assert finished and all(t.datetime_start.timestamp() < entered + TIMEOUT for t in finished)
    last = max(finished, key=lambda t: t.datetime_complete)
    # The last trial was cut at the deadline, or it started with at least as long left as the
    # longest trial of its family before it took (their own seconds: the loop's rule). (Its
    # own time may differ from theirs, so it can end a moment past the deadline: a one-solve
    # linear trial cannot be cut.)
    if not last.user_attrs.get("cut_by_deadline"):
        family = last.params["family"]
        before = [own_seconds(t) for t in finished
                  if trained(t) and t.params.get("family") == family
                  and t.datetime_complete <= last.datetime_start]
        assert before, "the last trial was the first of its family, and not cut"
        left = entered + TIMEOUT - last.datetime_start.timestamp()
        # (A moment passes between the loop's check and the trial's start time: its budget's
        # transaction.)
        assert max(before) <= left + EPOCH_S / 2, (max(before), left)


@pytest.mark.alone
def test_a_solver_trial_that_would_end_past_the_deadline_stays_queued(
        sqlite_url: str, multiclass_csv: Path) -> None:
    """The starting points are linear trials of about 2.3 s here: the second starts with 3.5 s
    left; after it, 1.2 s are left, and the third would end past the deadline; it stays queued
    for the next run. (The deadline lies midway: a second of slack either way.)"""
    create_study("q", multiclass_csv, storage_url=sqlite_url, max_epochs=3)
    started = time.monotonic()
    run_worker("q", sqlite_url, timeout=5.8, started=started,
               trainer=ScriptedTrainer(epoch_s=2.0))
    took = time.monotonic() - started
    assert took < 5.8, took  # it would end near 7 s
    study, _ = open_study("q", sqlite_url)
    states = [t.state for t in study.trials]
    assert states[:2] == [TrialState.COMPLETE] * 2 and states[2] is TrialState.WAITING


def test_the_time_kept_for_a_refit_stays_kept_once_it_fitted(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A refit that does not fit in the time left is not waited for; once one fits, its time
    stays kept though a trial ends past its own deadline (the time left then falls under it),
    until a new best's refit would need more than was left when it first fitted."""
    from search.worker import _objective

    now, cost = [100.0], [150.0]
    monkeypatch.setattr(_objective.time, "monotonic", lambda: now[0])
    objective = _objective.Objective.__new__(_objective.Objective)
    objective.deadline, objective._room = 200.0, None
    objective.final_cost = lambda: cost[0]
    assert objective.kept_seconds() == 0.0  # 150 s of refit, 100 s left
    cost[0] = 60.0
    assert objective.kept_seconds() == 60.0
    now[0] = 150.0  # the trial given until 140 ended at 150: 50 s left
    assert objective.kept_seconds() == 60.0 and objective.trial_deadline() == 140.0
    cost[0] = 120.0
    assert objective.kept_seconds() == 0.0


def test_no_refit_to_come_keeps_no_time_for_a_later_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before the first trial ends there is nothing to refit (0 s): that fits no refit to
    come. The first best's refit needs 60 s with 50 s left: it is not waited for (the 300,000-row
    run stopped its trials 68 s before its end for a refit that never came)."""
    from search.worker import _objective

    now, cost = [100.0], [0.0]
    monkeypatch.setattr(_objective.time, "monotonic", lambda: now[0])
    objective = _objective.Objective.__new__(_objective.Objective)
    objective.deadline, objective._room = 200.0, None
    objective.final_cost = lambda: cost[0]
    assert objective.kept_seconds() == 0.0
    now[0], cost[0] = 150.0, 60.0
    assert objective.kept_seconds() == 0.0 and objective.trial_deadline() == 200.0
    now[0], cost[0] = 160.0, 30.0  # a new best whose refit fits: kept from now on
    assert objective.kept_seconds() == 30.0


@pytest.mark.parametrize(("kept", "starts"), [(0.0, True), (20.0, False)])
def test_a_trial_starts_with_twice_its_time_left_while_the_refit_is_kept(
        kept: float, starts: bool) -> None:
    """A queued family not timed here needs a first epoch at the cost cap (27 s / 3 = 9 s);
    13.5 s are left for trials. Without a refit kept it starts; with one it needs 18 s."""
    study = optuna.create_study()
    study.enqueue_trial({"family": "ngram"})
    objective = SimpleNamespace(progress=None, cost_limit_s=9.0 * COST_EPOCHS,
                                kept_seconds=lambda: kept)
    loop = TrialLoop(study, objective, WorkerOptions())  # type: ignore[arg-type]
    assert loop._time_for_one(time.monotonic() + kept + 13.5) is starts


def test_a_family_timed_here_needs_only_its_time_while_the_refit_is_kept() -> None:
    """A linear trial took 10 s here; 13.5 s are left for trials and a refit is kept: it
    starts (the margin is for a family whose time is a guess)."""
    study = optuna.create_study()
    study.enqueue_trial({"family": "linear"})
    objective = SimpleNamespace(progress=None, cost_limit_s=9.0 * COST_EPOCHS,
                                kept_seconds=lambda: 20.0)
    loop = TrialLoop(study, objective, WorkerOptions())  # type: ignore[arg-type]
    loop.tally.seconds["linear"] = [10.0]
    assert loop._time_for_one(time.monotonic() + 20.0 + 13.5) is True
    loop.tally.seconds["linear"] = [14.0]
    assert loop._time_for_one(time.monotonic() + 20.0 + 13.5) is False
