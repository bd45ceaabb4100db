"""The report's page: ``index.html`` from the study's status and the figures drawn for it.

Inline CSS, no scripts, no network: the page reads well mailed or served as it is.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import FrozenTrial

from search.metrics import Detail, objectives, versus_baselines
from search.study import FamilyTime, StudyConfig, StudyStatus, TrialSummary, summarize_trial
from spaces import Task


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


def _versus(best: TrialSummary, config: StudyConfig) -> str:
    """The best trial against each baseline, headline metric by headline metric."""
    return " ".join(html.escape(sentence[0].upper() + sentence[1:]) + "."
                    for sentence in versus_baselines(best.metrics, config.baselines,
                                                     config.task))


def family_section(families: list[FamilyTime]) -> str:
    """Where the time went, by model family."""
    if not families:
        return ""
    rows: list[list[Cell]] = [[*map(html.escape, f.cells()), _e(f.best)] for f in families]
    return "<h2>Time by model family</h2>" + _table(list(FamilyTime.COLUMNS), rows)


def _best_section(best: TrialSummary, config: StudyConfig) -> str:
    metrics = objectives(config.task)
    head = ["", *[html.escape(m) + (" *" if m == config.metric else "") for m in metrics]]
    rows: list[list[Cell]] = [[f"trial {best.number}",
                               *[_e(best.metrics.get(m)) for m in metrics]]]
    classes = [""]
    for name, values in config.baselines.items():
        rows.append([f"baseline {html.escape(name)}", *[_e(values.get(m)) for m in metrics]])
        classes.append("baseline")
    facts = [f"best epoch {_e(best.best_epoch)} of {_e(best.epochs_run)} run",
             f"worker {_e(best.worker)}", f"device {_e(best.gpu)}"]
    if best.duration_s is not None:
        facts.append(f"took {best.duration_s:.0f} s")
    params = ", ".join(f"<code>{html.escape(k)}={_e(v)}</code>" for k, v in best.params.items())
    return (f"<h2>Best trial: {best.number}</h2><p>{config.metric} = {_e(best.value)} "
            f"({'; '.join(facts)}). {_versus(best, config)}</p>"
            + _table(head, rows, row_class=classes)
            + f"<p><small>* the objective.</small> Parameters: {params}</p>")


def _per_class_section(best: FrozenTrial, config: StudyConfig) -> str:
    per_class: dict[str, dict[str, Any]] | None = best.user_attrs.get(Detail.PER_CLASS)
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


def _running_and_failures(status: StudyStatus, max_epochs: int) -> str:
    out = []
    if status.running:
        rows: list[list[Cell]] = [
            [str(r.number), _e(r.worker), _e(r.gpu), f"{_e(r.epoch)}/{max_epochs}"]
            for r in status.running]
        out.append("<h2>Running now</h2>"
                   + _table(["trial", "worker", "device", "epoch"], rows, left=(0, 1, 2)))
    if status.failures:
        reasons: dict[str, list[int]] = {}
        for failure in status.failures:
            reasons.setdefault(failure.reason, []).append(failure.number)
        failures: list[list[Cell]] = [
            [html.escape(r), str(len(ns)), ", ".join(map(str, ns[:20])) + (
                " …" if len(ns) > 20 else "")] for r, ns in reasons.items()]
        out.append(f"<h2>Failures ({len(status.failures)})</h2>"
                   + _table(["reason", "trials", "trial numbers"], failures, left=(0, 2)))
    return "".join(out)


def _heading(status: StudyStatus, config: StudyConfig) -> list[str]:
    name = html.escape(status.study)
    chips = "".join(f'<span class="chip {s}">{s.lower()} {n}</span>'
                    for s, n in sorted(status.counts.items()))
    created = (datetime.fromtimestamp(config.created_at).strftime("%Y-%m-%d %H:%M")
               if config.created_at else "?")
    budget = ", ".join(x for x in (
        f"{config.budget.n_trials} trials" if config.budget.n_trials else "",
        f"{config.budget.timeout:.0f} s" if config.budget.timeout else "") if x) or "none"
    search = config.search
    return [
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>hpsearch report: {name}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>Study {name}</h1>",
        f'<p class="sub">{config.task.value} classification, {len(config.classes)} classes; '
        f"objective {html.escape(config.metric)} ({config.direction}); pruner "
        f"{search.pruner.value}, sampler {search.sampler.value}, up to {search.max_epochs} "
        f"epochs; budget {budget}; created {created}.</p>",
        f"<p>{chips}</p>" if chips else "",
    ]


def render_html(status: StudyStatus, config: StudyConfig, best: FrozenTrial | None,
                report: Report) -> str:
    """The page; ``best`` is the best trial (its per-class metrics), None when none finished."""
    bad = "" if best is not None or not status.n_trials else " bad"
    parts = _heading(status, config)
    parts.insert(-1, f'<p class="headline{bad}">{html.escape(report.headline)}</p>')
    if best is not None:
        parts.append(_best_section(summarize_trial(best, config), config))
    parts.append(family_section(status.families))
    best_files = ("confusion.png", "per_label.png")
    parts += [_figure(f) for f in report.figures if f.file not in best_files]
    if best is not None:
        parts.append(_per_class_section(best, config))
        parts += [_figure(f) for f in report.figures if f.file in best_files]
    parts.append(_running_and_failures(status, config.search.max_epochs))
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
