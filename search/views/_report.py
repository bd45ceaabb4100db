"""``hpsearch report``: one self-contained HTML page with PNG figures about a study.

The page (``index.html``, inline CSS, no scripts, no network) sits next to its figures in the
output folder, so the folder can be zipped, mailed or served as it is. It works on a study
still in progress (it shows what has finished so far and what is running) and says plainly
when nothing has finished. It reads the study only and never imports TensorFlow.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from search.study._config import METRICS_FOR_TASK, StudyConfig
from search.study._inspect import ranked, trial_summary
from search.study._open import open_study
from search.views import _figures as figs
from spaces import Task

BUDGET_STATES = (TrialState.COMPLETE, TrialState.PRUNED)
MAX_PARALLEL_PARAMS = 6
MAX_SLICE_PARAMS = 4
FIGURE_FILES = ("history.png", "curves.png", "importances.png", "parallel.png", "slices.png",
                "timeline.png", "confusion.png", "per_label.png")


@dataclass(frozen=True)
class ReportFigure:
    file: str
    title: str
    caption: str


@dataclass
class Report:
    """What ``write_report`` wrote: the page, its figures, and the figures it could not draw
    (with the reason, also shown on the page)."""

    index: Path
    headline: str
    figures: list[ReportFigure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def figure_paths(self) -> list[Path]:
        return [self.index.parent / f.file for f in self.figures]


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _e(value: Any) -> str:
    return html.escape(_fmt(value))


def headline(trials: list[FrozenTrial], config: StudyConfig) -> str:
    """One sentence on where the study stands."""
    counts: dict[TrialState, int] = {}
    for t in trials:
        counts[t.state] = counts.get(t.state, 0) + 1
    done = sum(counts.get(s, 0) for s in BUDGET_STATES)
    running = counts.get(TrialState.RUNNING, 0)
    failed = counts.get(TrialState.FAIL, 0)
    budget = f" of the {config.n_trials}-trial budget" if config.n_trials else ""
    if not trials:
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
    if config.n_trials and done >= config.n_trials:
        return f"Finished: {done} trials{budget} done."
    return f"No trial running: {done} trials finished{budget}."


def main_params(importances: dict[str, float] | None, trials: list[FrozenTrial]) -> list[str]:
    """Parameters that varied between completed trials, most important first (by importance
    when known, else by how many trials have them)."""
    done = figs.completed(trials)
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


def write_report(study_name: str, out_dir: str | Path, storage_url: str | None = None) -> Report:
    """Write ``index.html`` and its PNG figures for ``study_name`` into ``out_dir``."""
    study, config = open_study(study_name, storage_url)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for stale in FIGURE_FILES:
        (out / stale).unlink(missing_ok=True)
    trials = study.get_trials(deepcopy=False)
    report = Report(out / "index.html", headline(trials, config))
    finished = [t for t in trials if t.state in BUDGET_STATES or t.intermediate_values]
    best = ranked(study, config)[0] if figs.completed(trials) else None
    if finished:
        _draw_study_figures(report, out, study, config, trials)
    if best is not None:
        _draw_best_figures(report, out, best, config)
    report.index.write_text(render_html(study_name, config, trials, best, report),
                            encoding="utf-8")
    return report


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
        n_done = len(figs.completed(trials))
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
    matrix = best.user_attrs.get("confusion_matrix")
    per_class = best.user_attrs.get("per_class")
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


CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
       margin: 0 auto; max-width: 1100px; padding: 1.5em 2em 3em; color: #222; }
h1 { margin-bottom: .1em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; }
.sub { color: #666; margin-top: 0; }
.headline { font-size: 1.1em; padding: .7em 1em; border-radius: 6px; background: #eef4fb;
            border-left: 5px solid #1f77b4; }
.headline.bad { background: #fdeeee; border-left-color: #d62728; }
.chip { display: inline-block; padding: .1em .6em; margin-right: .4em; border-radius: 1em;
        font-size: .9em; color: white; }
.COMPLETE { background: #1f77b4; } .PRUNED { background: #e8872a; }
.FAIL { background: #d62728; } .RUNNING { background: #2ca02c; } .WAITING { background: #888; }
table { border-collapse: collapse; margin: .6em 0; font-size: .92em; }
th, td { padding: .3em .7em; border-bottom: 1px solid #e5e5e5; text-align: right; }
.text { text-align: left; }
tr.baseline td { color: #777; }
td[data-bar] { background: linear-gradient(to right, #c6dbef var(--w), transparent var(--w)); }
figure { margin: 1.4em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: .92em; }
.notes li { color: #8a5a00; }
code { background: #f4f4f4; padding: 0 .3em; border-radius: 3px; }
footer { margin-top: 3em; color: #999; font-size: .85em; }
"""


Cell = str | tuple[str, str]  # escaped content, or (escaped content, extra td attributes)


def _table(head: list[str], rows: list[list[Cell]], *, left: tuple[int, ...] = (0,),
           row_class: list[str] | None = None) -> str:
    """An HTML table; columns in ``left`` are text (left-aligned), the others numbers."""

    def align(i: int) -> str:
        return ' class="text"' if i in left else ""

    out = ["<table><thead><tr>",
           *[f"<th{align(i)}>{h}</th>" for i, h in enumerate(head)], "</tr></thead><tbody>"]
    for r, row in enumerate(rows):
        cls = f' class="{row_class[r]}"' if row_class and row_class[r] else ""
        cells = []
        for i, cell in enumerate(row):
            text, attrs = cell if isinstance(cell, tuple) else (cell, "")
            cells.append(f"<td{align(i)}{attrs}>{text}</td>")
        out.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def versus_baselines(value: float | None, config: StudyConfig) -> str:
    """Whether the best trial beats each baseline on the objective, in words."""
    if value is None:
        return ""
    better: list[str] = []
    worse: list[str] = []
    for name, values in config.baselines.items():
        base = values.get(config.metric)
        if not isinstance(base, int | float):
            continue
        wins = value > base if config.direction == "maximize" else value < base
        (better if wins else worse).append(f"{html.escape(name)} ({_fmt(float(base))})")
    if not better and not worse:
        return ""
    if not worse:
        return f"It beats every baseline on {config.metric}."
    return (f"Baselines still ahead on {config.metric}: {', '.join(worse)}"
            + (f"; it beats {', '.join(better)}." if better else "."))


def _best_section(best: FrozenTrial, config: StudyConfig) -> str:
    summary = trial_summary(best, config)
    metrics = METRICS_FOR_TASK[config.task]
    head = ["", *[html.escape(m) + (" *" if m == config.metric else "") for m in metrics]]
    rows: list[list[Cell]] = [[f"trial {best.number}",
                               *[_e(summary["metrics"].get(m)) for m in metrics]]]
    classes = [""]
    for name, values in config.baselines.items():
        rows.append([f"baseline {html.escape(name)}", *[_e(values.get(m)) for m in metrics]])
        classes.append("baseline")
    facts = [f"best epoch {_e(best.user_attrs.get('best_epoch'))} of "
             f"{_e(best.user_attrs.get('epochs_run'))} run",
             f"worker {_e(best.user_attrs.get('worker'))}",
             f"device {_e(best.user_attrs.get('gpu'))}"]
    if best.duration is not None:
        facts.append(f"took {best.duration.total_seconds():.0f} s")
    params = ", ".join(f"<code>{html.escape(k)}={_e(v)}</code>"
                       for k, v in summary["params"].items())
    return (f"<h2>Best trial: {best.number}</h2><p>{config.metric} = {_e(best.value)} "
            f"({'; '.join(facts)}). {versus_baselines(best.value, config)}</p>"
            + _table(head, rows, row_class=classes)
            + f"<p><small>* the objective.</small> Parameters: {params}</p>")


def _per_class_section(best: FrozenTrial, config: StudyConfig) -> str:
    per_class: dict[str, dict[str, Any]] | None = best.user_attrs.get("per_class")
    word = "label" if config.task is Task.MULTILABEL else "class"
    if not per_class:
        return (f"<h2>Per-{word} metrics</h2><p>Trial {best.number} recorded no per-{word} "
                "metrics.</p>")
    rows: list[list[Cell]] = []
    for label, m in per_class.items():
        f1 = max(0.0, min(float(m.get("f1", 0.0)), 1.0))
        rows.append([html.escape(label), _e(m.get("precision")), _e(m.get("recall")),
                     (_e(m.get("f1")), f' style="--w:{f1 * 100:.0f}%" data-bar'),
                     _e(m.get("support"))])
    weakest = min(per_class.items(), key=lambda kv: float(kv[1].get("f1", 0.0)))
    return (f"<h2>Per-{word} metrics of trial {best.number}</h2>"
            f"<p>On the validation rows; support is the number of rows with the {word}. "
            f"Weakest: <b>{html.escape(weakest[0])}</b> (F1 {_e(weakest[1].get('f1'))}).</p>"
            + _table([word, "precision", "recall", "F1", "support"], rows))


def _running_and_failures(trials: list[FrozenTrial], max_epochs: int) -> str:
    out = []
    running = [t for t in trials if t.state is TrialState.RUNNING]
    if running:
        rows: list[list[Cell]] = [
            [str(t.number), _e(t.user_attrs.get("worker")), _e(t.user_attrs.get("gpu")),
             f"{_e(t.user_attrs.get('epoch'))}/{max_epochs}"] for t in running]
        out.append("<h2>Running now</h2>"
                   + _table(["trial", "worker", "device", "epoch"], rows, left=(0, 1, 2)))
    failed = [t for t in trials if t.state is TrialState.FAIL]
    if failed:
        reasons: dict[str, list[int]] = {}
        for t in failed:
            reason = t.user_attrs.get("fail_reason") or t.system_attrs.get(
                "fail_reason") or "no reason recorded (worker lost? see its log)"
            reasons.setdefault(str(reason), []).append(t.number)
        failures: list[list[Cell]] = [
            [html.escape(r), str(len(ns)), ", ".join(map(str, ns[:20])) + (
                " …" if len(ns) > 20 else "")] for r, ns in reasons.items()]
        out.append(f"<h2>Failures ({len(failed)})</h2>"
                   + _table(["reason", "trials", "trial numbers"], failures, left=(0, 2)))
    return "".join(out)


def render_html(study_name: str, config: StudyConfig, trials: list[FrozenTrial],
                best: FrozenTrial | None, report: Report) -> str:
    counts: dict[str, int] = {}
    for t in trials:
        counts[t.state.name] = counts.get(t.state.name, 0) + 1
    chips = "".join(f'<span class="chip {s}">{s.lower()} {n}</span>'
                    for s, n in sorted(counts.items()))
    created = (datetime.fromtimestamp(config.created_at).strftime("%Y-%m-%d %H:%M")
               if config.created_at else "?")
    budget = ", ".join(x for x in (
        f"{config.n_trials} trials" if config.n_trials else "",
        f"{config.timeout:.0f} s" if config.timeout else "") if x) or "none"
    bad = "" if best is not None or not trials else " bad"
    parts = [
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>hpsearch report: {html.escape(study_name)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>Study {html.escape(study_name)}</h1>",
        f'<p class="sub">{config.task.value} classification, {len(config.classes)} classes; '
        f"objective {html.escape(config.metric)} ({config.direction}); pruner "
        f"{config.pruner.value}, sampler {config.sampler.value}, up to {config.max_epochs} "
        f"epochs; budget {budget}; created {created}.</p>",
        f'<p class="headline{bad}">{html.escape(report.headline)}</p>',
        f"<p>{chips}</p>" if chips else "",
    ]
    if best is not None:
        parts.append(_best_section(best, config))
    study_figs = [f for f in report.figures if f.file not in ("confusion.png", "per_label.png")]
    best_figs = [f for f in report.figures if f.file in ("confusion.png", "per_label.png")]
    for fig in study_figs:
        parts.append(_figure(fig))
    if best is not None:
        parts.append(_per_class_section(best, config))
        for fig in best_figs:
            parts.append(_figure(fig))
    parts.append(_running_and_failures(trials, config.max_epochs))
    if report.notes:
        parts.append('<h2>Not shown</h2><ul class="notes">'
                     + "".join(f"<li>{html.escape(n)}</li>" for n in report.notes) + "</ul>")
    parts.append(f"<footer>Written by hpsearch with optuna {optuna.__version__} at "
                 f"{datetime.now():%Y-%m-%d %H:%M:%S}.</footer></body></html>")
    return "\n".join(p for p in parts if p)


def _figure(fig: ReportFigure) -> str:
    return (f'<figure><h2>{html.escape(fig.title)}</h2>'
            f'<img src="{html.escape(fig.file)}" alt="{html.escape(fig.title)}">'
            f"<figcaption>{html.escape(fig.caption)}</figcaption></figure>")
