"""Tables for people: the leaderboard, status and best trial, with the baselines beside them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from search.metrics import HEADLINE, Metric
from search.options import format_size
from search.study import RECENT_FAILURES, FamilyTime, StudyListing, StudyStatus, TrialSummary
from spaces import Task, describe_params


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def leaderboard_table(rows: Sequence[TrialSummary], baselines: dict[str, dict[str, Any]],
                      task: Task, metric: Metric, title: str = "Leaderboard",
                      ensemble: dict[str, Any] | None = None,
                      answer: dict[str, Any] | None = None) -> Table:
    """Trials (best first) under the study's answer, the baselines and its ensemble if it has
    one, in the task's headline metrics; the objective is starred. The trials and the ensemble
    are scored on the validation rows that chose them; the answer and the baselines on the
    held rows, the answer's objective with its interval."""
    columns = HEADLINE[task]
    table = Table(title=title, caption="trials, ensemble: validation rows, used for choosing; "
                                       "answer, baselines: held rows no choice has seen")
    table.add_column("trial")
    for col in columns:
        table.add_column(col + (" *" if col == metric else ""), justify="right")
    table.add_column("epoch", justify="right")
    table.add_column("params")
    if answer and answer.get("held_metrics"):
        table.add_row("[bold]answer[/]", *[_answer_cell(answer, c) for c in columns], "-",
                      f"{answer['model']} "
                      + ", ".join(str(m["trial"]) for m in answer["members"])
                      + (f", refitted on {answer['refit']['rows']} rows" if answer.get("refit")
                         else ""))
    for name, values in baselines.items():
        table.add_row(f"[dim]{name}[/]", *[_fmt(values.get(c)) for c in columns], "-",
                      "[dim]baseline[/]")
    if ensemble:
        members = ", ".join(f"{m['trial']} ×{m['weight']:.2f}" for m in ensemble["members"])
        table.add_row("[bold]ensemble[/]", *[_fmt(ensemble["metrics"].get(c)) for c in columns],
                      "-", f"trials {members} (export --model writes it)")
    for row in rows:
        table.add_row(str(row.number), *[_fmt(row.metrics.get(c)) for c in columns],
                      _fmt(row.best_epoch), describe_params(row.params))
    return table


def _answer_cell(answer: dict[str, Any], column: str) -> str:
    value = _fmt(answer["held_metrics"].get(column))
    estimate = answer.get("estimate")
    if column != answer["metric"] or not estimate:
        return value
    return f"{value} [{estimate['low']:.3f}, {estimate['high']:.3f}]"


def print_status(status: StudyStatus, console: Console | None = None) -> None:
    console = console or Console()
    counts = ", ".join(f"{k.lower()} {v}" for k, v in status.counts.items()) or "no trials"
    budget = status.budget
    console.print(f"[bold]{status.study}[/] ({status.task.value}, objective "
                  f"{status.metric} {status.direction}): {counts}"
                  + (f"; budget {budget.n_trials} trials" if budget.n_trials else ""))
    rows = [status.best] if status.best else []
    console.print(leaderboard_table(rows, status.baselines, status.task, status.metric,
                                    title="Best trial vs baselines", ensemble=status.ensemble,
                                    answer=status.answer))
    if status.best:
        console.print("best params: " + ", ".join(
            f"{k}={_fmt(v)}" for k, v in status.best.params.items()))
        if status.best.not_converged:
            console.print(f"best trial: {status.best.not_converged}", highlight=False)
        for sentence in status.comparisons():
            console.print(f"{status.subject()}: {sentence}", highlight=False)
    if status.families:
        console.print(families_table(status.families))
    for run in status.running:
        console.print(f"running: trial {run.number} on {run.worker} epoch {_fmt(run.epoch)}")
    for failure in status.failures[-RECENT_FAILURES:]:
        console.print(f"[red]failed[/]: trial {failure.number}: {failure.reason}")


def families_table(families: Sequence[FamilyTime]) -> Table:
    """Time and results by model family."""
    table = Table(title="Time by model family")
    for column in FamilyTime.COLUMNS:
        table.add_column(column, justify="left" if column == "family" else "right")
    for row in families:
        table.add_row(*row.cells(), _fmt(row.best))
    return table


def studies_table(listings: Sequence[StudyListing]) -> Table:
    """One row per study: its task and objective, trials by state, its best value and the
    baselines' values of the same objective, the bytes it stores (its data and kept models),
    when it was created."""
    table = Table(title="Studies")
    for column in ("study", "task", "objective", "trials", "best", "baselines", "stored",
                   "created"):
        table.add_column(column, justify="right" if column in ("best", "stored") else "left")
    for s in listings:
        trials = ", ".join(f"{k.lower()} {v}" for k, v in s.counts.items()) or "none"
        baselines = ", ".join(f"{k} {_fmt(v)}" for k, v in s.baselines.items())
        created = (datetime.fromtimestamp(s.created_at).strftime("%Y-%m-%d %H:%M")
                   if s.created_at else "-")
        table.add_row(s.name, s.task or f"[dim]{s.note}[/]", s.metric or "-", trials,
                      _fmt(s.best), baselines or "-", format_size(s.stored_bytes), created)
    return table
