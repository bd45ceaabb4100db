"""``hpsearch status --watch``: a live table of a study, refreshed in the terminal.

``watch_numbers`` computes everything shown (counts, running trials, best so far, trials per
hour, time left against the study budget) from the trials alone, so it is tested without a
terminal or a clock; ``render_watch`` lays the numbers out; ``watch_study`` refreshes them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import optuna
from optuna.trial import FrozenTrial, TrialState
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.table import Table
from rich.text import Text

from search.study import (
    BUDGET_STATES,
    RunningTrial,
    StudyConfig,
    best_of,
    count_states,
    open_study,
    running_trials,
    summarize_trial,
)
from search.views._display import leaderboard_table

FINISHED_STATES = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)
# The rate is measured over the latest finished trials, so that a study resumed after a pause
# is not judged by the pause.
RATE_WINDOW = 20

Bound = Literal["trials", "timeout"]


@dataclass(frozen=True)
class WatchNumbers:
    """What the live status shows, computed from the trials at one moment."""

    counts: dict[str, int]
    running: list[RunningTrial]
    best: FrozenTrial | None
    budget_done: int
    n_trials: int | None
    timeout_left_s: float | None
    trials_per_hour: float | None
    budget_trials_per_hour: float | None
    eta_s: float | None
    eta_bound: Bound | None

    @property
    def budget_spent(self) -> bool:
        return self.eta_s == 0.0


def _rate(trials: Sequence[FrozenTrial], end: datetime) -> tuple[float | None, float | None]:
    """Finished trials per hour and budget-counting trials per hour, over the latest
    ``RATE_WINDOW`` finished trials (from the first of them starting until ``end``)."""
    finished = sorted((t for t in trials if t.state in FINISHED_STATES
                       and t.datetime_complete is not None),
                      key=lambda t: t.datetime_complete)  # type: ignore[arg-type,return-value]
    window = finished[-RATE_WINDOW:]
    starts = [t.datetime_start for t in window if t.datetime_start is not None]
    if not window or not starts:
        return None, None
    hours = (end - min(starts)).total_seconds() / 3600
    if hours <= 0:
        return None, None
    budget = sum(1 for t in window if t.state in BUDGET_STATES)
    return len(window) / hours, budget / hours


def watch_numbers(trials: Sequence[FrozenTrial], config: StudyConfig,
                  now: datetime | None = None) -> WatchNumbers:
    """The live-status numbers of a study's ``trials`` at ``now`` (default: the present).

    Times are Optuna's naive local datetimes; ``config.created_at`` is a Unix time. The time
    left is the shorter of: the trials still to run at the recent rate (``n_trials`` budget)
    and the seconds left before ``created_at + timeout`` (``timeout`` budget); None when the
    study has no budget or no trial has finished yet to measure a rate.
    """
    now = now or datetime.now()
    counts = count_states(trials)
    running = running_trials(trials, now)
    best = best_of(trials, config.direction)
    finished_at = [t.datetime_complete for t in trials if t.datetime_complete is not None]
    end = now if running or not finished_at else max(finished_at)
    per_hour, budget_per_hour = _rate(trials, end)
    budget_done = sum(counts.get(s.name, 0) for s in BUDGET_STATES)

    estimates: list[tuple[float, Bound]] = []
    budget = config.budget
    if budget.n_trials is not None:
        left = max(budget.n_trials - budget_done, 0)
        if left == 0:
            estimates.append((0.0, "trials"))
        elif budget_per_hour:
            estimates.append((left / budget_per_hour * 3600, "trials"))
    timeout_left = None
    if budget.timeout is not None:
        timeout_left = max(config.created_at + budget.timeout - now.timestamp(), 0.0)
        estimates.append((timeout_left, "timeout"))
    eta, bound = min(estimates) if estimates else (None, None)
    return WatchNumbers(counts=counts, running=running, best=best, budget_done=budget_done,
                        n_trials=budget.n_trials, timeout_left_s=timeout_left,
                        trials_per_hour=per_hour, budget_trials_per_hour=budget_per_hour,
                        eta_s=eta, eta_bound=bound)


def format_duration(seconds: float | None) -> str:
    """``1h 05m``, ``4m 10s``, ``12s``; ``-`` for unknown."""
    if seconds is None:
        return "-"
    s = int(round(seconds))
    if s >= 3600:
        return f"{s // 3600}h {s % 3600 // 60:02d}m"
    if s >= 60:
        return f"{s // 60}m {s % 60:02d}s"
    return f"{s}s"


_STATE_STYLE = {"COMPLETE": "green", "PRUNED": "yellow", "FAIL": "red", "RUNNING": "cyan",
                "WAITING": "dim"}


def _budget_lines(numbers: WatchNumbers, config: StudyConfig) -> tuple[Text, Text]:
    """``budget: ...`` (done and left) and ``pace: ...`` (rate and time left)."""
    budget = []
    if numbers.n_trials is not None:
        budget.append(f"{numbers.budget_done}/{numbers.n_trials} trials done")
    else:
        budget.append(f"{numbers.budget_done} trials done (no trial budget)")
    if numbers.timeout_left_s is not None:
        budget.append(f"{format_duration(numbers.timeout_left_s)} of the "
                      f"{format_duration(config.budget.timeout)} timeout left")
    pace = []
    rate = numbers.trials_per_hour
    pace.append(f"{rate:.1f} trials/hour" if rate is not None else "no finished trial yet")
    if numbers.budget_spent:
        n = len(numbers.running)
        pace.append(f"budget spent, {n} running trial{'s' if n != 1 else ''} finishing"
                    if n else "budget spent")
    elif numbers.eta_s is not None:
        pace.append(f"about {format_duration(numbers.eta_s)} left "
                    f"({'trial budget' if numbers.eta_bound == 'trials' else 'timeout'})")
    elif numbers.n_trials is None and numbers.timeout_left_s is None:
        pace.append("time left: unbounded (no --n-trials or --timeout at create)")
    else:
        pace.append("time left: unknown until a trial finishes")
    return Text("budget: " + ", ".join(budget)), Text("pace: " + ", ".join(pace))


def render_watch(study_name: str, config: StudyConfig, numbers: WatchNumbers,
                 now: datetime | None = None) -> RenderableType:
    """The live status as one rich renderable."""
    now = now or datetime.now()
    header = Text.assemble(
        (study_name, "bold"), f" ({config.task.value}, objective {config.metric} "
        f"{config.direction}) at {now:%H:%M:%S}")
    counts = Text("trials: ")
    for i, (state, n) in enumerate(sorted(numbers.counts.items())):
        counts.append(", " if i else "")
        counts.append(f"{state.lower()} {n}", style=_STATE_STYLE.get(state, ""))
    if not numbers.counts:
        counts.append("none yet")

    running = Table(title="Running trials", title_justify="left", expand=False)
    for col in ("trial", "worker", "gpu", "epoch", "running for"):
        running.add_column(col, justify="right" if col in ("trial", "epoch") else "left")
    for r in numbers.running:
        epoch = f"{r.epoch}/{config.search.max_epochs}" if r.epoch is not None else "starting"
        running.add_row(str(r.number), r.worker or "?", r.gpu or "?", epoch,
                        format_duration(r.running_s))
    rows = [summarize_trial(numbers.best, config)] if numbers.best else []
    best = leaderboard_table(rows, config.baselines, config.task, config.metric,
                             title="Best so far vs baselines")
    parts: list[RenderableType] = [header, counts, *_budget_lines(numbers, config)]
    parts.append(running if numbers.running else Text("no trial running", style="dim"))
    parts.append(best)
    return Group(*parts)


def watch_study(study_name: str, storage_url: str | None = None, *, interval: float = 5.0,
                console: Console | None = None, refreshes: int | None = None,
                sleep: Callable[[float], Any] = time.sleep) -> WatchNumbers:
    """Refresh the live status every ``interval`` seconds until Ctrl-C, the study's budget is
    spent with no trial running, or ``refreshes`` frames have been drawn; the last numbers.

    On a terminal the table is redrawn in place; otherwise (a log, a pipe) each frame is
    printed after the last. A storage that stops answering shows as a line; the watch retries.
    """
    study, config = open_study(study_name, storage_url)
    console = console or Console()
    numbers: WatchNumbers | None = None
    live = Live(console=console, auto_refresh=False) if console.is_terminal else None

    def show(frame: RenderableType) -> None:
        if live is not None:
            live.update(frame, refresh=True)
        else:
            console.print(frame)

    if live is not None:
        live.start()
    try:
        frames = 0
        while True:
            try:
                trials = study.get_trials(deepcopy=False)
            except optuna.exceptions.StorageInternalError as exc:
                show(Text(f"storage did not answer ({exc}); retrying in {interval:g}s",
                          style="red"))
            else:
                numbers = watch_numbers(trials, config)
                show(render_watch(study_name, config, numbers))
                if numbers.budget_spent and not numbers.running:
                    break
            frames += 1
            if refreshes is not None and frames >= refreshes:
                break
            sleep(interval)
    except KeyboardInterrupt:
        pass
    finally:
        if live is not None:
            live.stop()
    if numbers is None:
        numbers = watch_numbers(study.get_trials(deepcopy=False), config)
    return numbers


def describe_end(numbers: WatchNumbers) -> str:
    """The line printed after the live table stops."""
    if numbers.budget_spent and not numbers.running:
        return "study budget spent; no trial running."
    return "stopped watching."
