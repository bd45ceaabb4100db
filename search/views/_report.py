"""``hpsearch report``: one self-contained HTML page with PNG figures about a study.

The page (``index.html`` from a Jinja2 template, inline CSS, no scripts, no network) sits next
to its figures in the output folder, so the folder can be zipped, mailed or served as it is.
It works on a study still in progress (it shows what has finished so far and what is running)
and says plainly when nothing has finished. It reads the study only and never imports
TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import optuna
from optuna.trial import FrozenTrial

from search._paths import make_folder, output_folder, refuse_to_replace, write_file
from search.metrics import Detail
from search.study import (
    BUDGET_STATES,
    StudyConfig,
    StudyStatus,
    answer_record,
    best_of,
    completed,
    open_study,
    status_of,
)
from search.views import _figures as figs
from search.views._references import references
from search.views._report_page import Report, ReportFigure, render_html
from search.views._report_template import GENERATOR
from spaces import Task

MAX_PARALLEL_PARAMS = 6
MAX_SLICE_PARAMS = 4
FIGURE_FILES = ("history.png", "curves.png", "importances.png", "parallel.png", "slices.png",
                "timeline.png", "confusion.png", "per_label.png")


def headline(status: StudyStatus) -> str:
    """One sentence on where the study stands."""
    counts = status.counts
    done = sum(counts.get(s.name, 0) for s in BUDGET_STATES)
    running, failed = len(status.running), len(status.failures)
    n_trials = status.budget.n_trials
    budget = f" of the {n_trials}-trial budget" if n_trials else ""
    if not status.n_trials:
        return "No trials yet: start one with `hpsearch worker`."
    if done == 0:
        also = f"; {running} running" if running else ""
        if failed:
            return (f"No trial has finished: {'all ' if not running else ''}{failed} "
                    f"trial{'s' if failed != 1 else ''} failed{also}. See the failures below.")
        return f"No trial has finished yet{also}."
    if running:
        return (f"In progress: {running} trial{'s' if running != 1 else ''} running, {done} "
                f"finished{budget}. This report shows the trials finished so far.")
    if n_trials and done >= n_trials:
        return f"Finished: {done} trials{budget} done."
    return f"No trial running: {done} trials finished{budget}."


def main_params(importances: dict[str, float] | None, trials: list[FrozenTrial]) -> list[str]:
    """Parameters that varied between completed trials, most important first (by importance
    when known, else by how many trials have them)."""
    done = completed(trials)
    seen: dict[str, set[str]] = {}
    for t in done:
        for name, value in t.params.items():
            seen.setdefault(name, set()).add(repr(value))
    varying = [name for name, values in seen.items() if len(values) > 1]
    if importances:
        order = [p for p in importances if p in varying]
        return order + [p for p in varying if p not in order]
    presence = {p: sum(1 for t in done if p in t.params) for p in varying}
    return sorted(varying, key=lambda p: (-presence[p], p))


def _draw(report: Report, out: Path, name: str, title: str,
          draw: Callable[[Path], str]) -> None:
    try:
        caption = draw(out / name)
    except figs.NoFigure as reason:
        report.notes.append(f"{title}: not drawn, {reason}.")
    else:
        report.figures.append(ReportFigure(name, title, caption))


def write_report(study_name: str, out_dir: str | Path, storage_url: str | None = None, *,
                 force: bool = False) -> Report:
    """Write ``index.html`` and its PNG figures for ``study_name`` into ``out_dir``. An earlier
    report there is replaced; files of those names that a report did not write are replaced
    only with ``force``."""
    out = output_folder(out_dir, "Report folder (--out)")
    study, config = open_study(study_name, storage_url)
    if not _an_earlier_report(out / "index.html"):
        refuse_to_replace([out / "index.html", *(out / name for name in FIGURE_FILES)],
                          f"Writing the report to {str(out)!r}", force=force)
    make_folder(out, "the report folder")
    for stale in FIGURE_FILES:
        (out / stale).unlink(missing_ok=True)
    trials = study.get_trials(deepcopy=False)
    status = status_of(study_name, trials, config, answer=answer_record(study))
    report = Report(out / "index.html", headline(status))
    finished = [t for t in trials if t.state in BUDGET_STATES or t.intermediate_values]
    best = best_of(trials, config.direction)
    if finished:
        _draw_study_figures(report, out, study, config, trials)
    if best is not None:
        _draw_best_figures(report, out, best, config)
    write_file(report.index, render_html(status, config, best, report,
                                         references(trials, config)), "the report page")
    return report


def _an_earlier_report(page: Path) -> bool:
    """Whether ``page`` is a report's page (its figures beside it are the report's too)."""
    try:
        with page.open("rb") as f:
            return GENERATOR.encode() in f.read(2048)
    except OSError:  # none there, or a folder of that name: refuse_to_replace names it
        return False


def _draw_study_figures(report: Report, out: Path, study: optuna.Study, config: StudyConfig,
                        trials: list[FrozenTrial]) -> None:
    _draw(report, out, "history.png", "Optimisation history",
          lambda p: figs.draw_history(study, config, p))
    _draw(report, out, "curves.png", "Learning curves (pruned trials included)",
          lambda p: figs.draw_learning_curves(study, config, p))
    importances: dict[str, float] | None = None
    try:
        importances = figs.param_importances(study)
    except figs.NoFigure as reason:
        report.notes.append(f"Parameter importances: not drawn, {reason}.")
    else:
        n_done = len(completed(trials))
        _draw(report, out, "importances.png", "Parameter importances",
              lambda p: figs.draw_importances(importances or {}, n_done, p))
    params = main_params(importances, trials)
    _draw(report, out, "parallel.png", "Parallel coordinates of the main parameters",
          lambda p: figs.draw_parallel(study, config, params[:MAX_PARALLEL_PARAMS], p))
    _draw(report, out, "slices.png", "Slices of the main parameters",
          lambda p: figs.draw_slices(study, config, params[:MAX_SLICE_PARAMS], p))
    _draw(report, out, "timeline.png", "Timeline",
          lambda p: figs.draw_timeline(study, p))


def _draw_best_figures(report: Report, out: Path, best: FrozenTrial,
                       config: StudyConfig) -> None:
    matrix = best.user_attrs.get(Detail.CONFUSION_MATRIX)
    per_class = best.user_attrs.get(Detail.PER_CLASS)
    if config.task is Task.MULTILABEL:
        if per_class:
            _draw(report, out, "per_label.png", f"Per-label metrics of trial {best.number}",
                  lambda p: figs.draw_per_label(per_class, best.number, p))
        else:
            report.notes.append(f"Per-label metrics: trial {best.number} recorded none.")
    elif matrix:
        _draw(report, out, "confusion.png", f"Confusion matrix of trial {best.number}",
              lambda p: figs.draw_confusion(matrix, config.classes, best.number, p))
    else:
        report.notes.append(f"Confusion matrix: trial {best.number} recorded none.")
