"""``status --watch``: the numbers (rate, time left against the budget) from synthetic trials,
then the live table on a real scripted study and through the CLI."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from optuna.distributions import FloatDistribution
from optuna.trial import FrozenTrial, TrialState
from rich.console import Console
from typer.testing import CliRunner

from search.cli import app
from search.options import BudgetOptions, SearchOptions
from search.study import StudyConfig
from search.views._watch import (
    RATE_WINDOW,
    format_duration,
    render_watch,
    watch_numbers,
    watch_study,
)
from spaces import Task
from tests.scripted_studies import leave_running, make_study

T0 = datetime(2026, 1, 5, 9, 0, 0)


def config(n_trials: int | None = None, timeout: float | None = None,
           created_at: datetime = T0, metric: str = "val_loss") -> StudyConfig:
    return StudyConfig(task=Task.MULTICLASS, classes=["a", "b"], data_path="d",
                       data_fingerprint="f", cache_sha256="c", space={}, max_len=10,
                       vocab_size=100, search=SearchOptions(metric=metric, max_epochs=8),
                       budget=BudgetOptions(n_trials=n_trials, timeout=timeout),
                       created_at=created_at.timestamp(),
                       baselines={"majority": {"val_loss": 0.69, "accuracy": 0.5,
                                               "macro_f1": 0.33}})


def trial(number: int, state: TrialState, start: datetime, minutes: float = 30,
          value: float | None = None, **attrs: object) -> FrozenTrial:
    finished = state is not TrialState.RUNNING
    return FrozenTrial(
        number=number, trial_id=number, state=state,
        value=value if state is TrialState.COMPLETE else None,
        values=None, datetime_start=start,
        datetime_complete=start + timedelta(minutes=minutes) if finished else None,
        params={"learning_rate": 1e-3}, distributions={
            "learning_rate": FloatDistribution(1e-4, 1e-2, log=True)},
        user_attrs=dict(attrs), system_attrs={}, intermediate_values={})


def sequential(states: list[TrialState], start: datetime = T0) -> list[FrozenTrial]:
    """Trials back to back, 30 minutes each, values improving."""
    return [trial(i, s, start + timedelta(minutes=30 * i), value=1.0 - 0.1 * i)
            for i, s in enumerate(states)]


def test_rate_and_time_left_against_the_trial_budget() -> None:
    trials = sequential([TrialState.COMPLETE] * 3 + [TrialState.PRUNED])  # 4 in 2 hours
    trials.append(trial(4, TrialState.RUNNING, T0 + timedelta(hours=2), epoch=3,
                        worker="gpu-1:77", gpu="0"))
    now = T0 + timedelta(hours=2, minutes=10)
    numbers = watch_numbers(trials, config(n_trials=10), now=now)
    # 4 finished between 09:00 and now (a trial is running, so the window runs to now).
    assert numbers.trials_per_hour == pytest.approx(4 / (130 / 60))
    assert numbers.budget_done == 4
    assert numbers.eta_s == pytest.approx(6 / (4 / (130 / 60)) * 3600)
    assert numbers.eta_bound == "trials"
    assert numbers.counts == {"COMPLETE": 3, "PRUNED": 1, "RUNNING": 1}
    assert numbers.best is not None and numbers.best.number == 2  # lowest val_loss
    (running,) = numbers.running
    assert (running.worker, running.gpu, running.epoch) == ("gpu-1:77", "0", 3)
    assert running.running_s == pytest.approx(600)


def test_failed_trials_count_in_the_rate_but_not_against_the_budget() -> None:
    trials = sequential([TrialState.COMPLETE, TrialState.FAIL, TrialState.FAIL,
                         TrialState.COMPLETE])
    numbers = watch_numbers(trials, config(n_trials=6), now=T0 + timedelta(hours=5))
    # No trial running: the rate is measured up to the last completion (09:00-11:00).
    assert numbers.trials_per_hour == pytest.approx(2.0)
    assert numbers.budget_trials_per_hour == pytest.approx(1.0)
    assert numbers.eta_s == pytest.approx(4 * 3600)


def test_the_timeout_bounds_the_time_left_when_it_comes_first() -> None:
    trials = sequential([TrialState.COMPLETE] * 2)
    now = T0 + timedelta(hours=1)
    numbers = watch_numbers(trials, config(n_trials=100, timeout=3 * 3600), now=now)
    assert numbers.timeout_left_s == pytest.approx(2 * 3600)
    assert (numbers.eta_s, numbers.eta_bound) == (pytest.approx(2 * 3600), "timeout")


def test_a_spent_budget_reads_zero_and_a_maximised_metric_picks_the_highest() -> None:
    trials = sequential([TrialState.COMPLETE] * 3)
    numbers = watch_numbers(trials, config(n_trials=3, metric="macro_f1"),
                            now=T0 + timedelta(hours=3))
    assert numbers.budget_spent and numbers.eta_s == 0.0
    assert numbers.best is not None and numbers.best.number == 0  # value 1.0


def test_a_pause_does_not_drag_the_rate_down() -> None:
    """A study resumed after a day off: the rate comes from the latest trials only."""
    old = sequential([TrialState.COMPLETE] * 5, start=T0 - timedelta(days=1))
    recent = [trial(5 + i, TrialState.COMPLETE, T0 + timedelta(minutes=3 * i), minutes=3,
                    value=0.5) for i in range(RATE_WINDOW)]
    numbers = watch_numbers(old + recent, config(), now=T0 + timedelta(hours=2))
    assert numbers.trials_per_hour == pytest.approx(RATE_WINDOW / 1.0)  # 20 in the last hour


def test_no_budget_and_nothing_finished_says_so() -> None:
    trials = [trial(0, TrialState.RUNNING, T0, epoch=None, worker="w:1")]
    numbers = watch_numbers(trials, config(), now=T0 + timedelta(minutes=5))
    assert numbers.trials_per_hour is None and numbers.eta_s is None
    console = Console(record=True, width=120)
    console.print(render_watch("demo", config(), numbers, now=T0))
    text = console.export_text()
    assert "budget: 0 trials done (no trial budget)" in text
    assert ("pace: no finished trial yet, time left: unbounded (no --n-trials or --timeout "
            "at create)") in text
    assert "starting" in text  # no epoch reported yet


def test_format_duration() -> None:
    assert [format_duration(s) for s in (None, 12.4, 250, 3900, 90000)] == [
        "-", "12s", "4m 10s", "1h 05m", "25h 00m"]


def test_watch_shows_running_trials_and_the_best_next_to_baselines(
        storage_url: str, study_name: str, multiclass_csv: Path) -> None:
    make_study(study_name, multiclass_csv, storage_url, n_trials=3, max_epochs=3)
    leave_running(study_name, storage_url, epochs=2)
    console = Console(record=True, width=140, force_terminal=False)
    sleeps: list[float] = []
    numbers = watch_study(study_name, storage_url, interval=7, console=console, refreshes=2,
                          sleep=sleeps.append)
    assert sleeps == [7]  # two frames, one pause between them
    text = console.export_text()
    assert text.count(f"{study_name} (multiclass, objective val_loss minimize)") == 2
    assert "complete 3, running 1" in text
    assert "budget: 3/3 trials done" in text
    assert "budget spent, 1 running trial finishing" in text
    assert "gpu-box-7:4242" in text and "2/3" in text
    assert "tfidf_logreg" in text and "majority" in text
    assert numbers.best is not None and f"│ {numbers.best.number} " in text


def test_cli_watch_stops_when_the_budget_is_spent(sqlite_url: str, study_name: str,
                                                   multiclass_csv: Path) -> None:
    make_study(study_name, multiclass_csv, sqlite_url, n_trials=2,
               max_epochs=2)
    runner = CliRunner()
    result = runner.invoke(app, ["status", "--study", study_name, "--storage", sqlite_url,
                                 "--watch", "--interval", "60"])
    assert result.exit_code == 0, result.output
    assert "2/2 trials done" in result.output
    assert result.output.rstrip().endswith("study budget spent; no trial running.")
    both = runner.invoke(app, ["status", "--study", study_name, "--storage", sqlite_url,
                               "--watch", "--json"])
    assert both.exit_code == 2
    assert "--watch draws a live table and --json prints once; use one of them." in both.output
