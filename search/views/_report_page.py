"""The report's page: ``index.html`` from the study's status and the figures drawn for it,
rendered from the Jinja2 template in ``_report_template`` with autoescaping, so that a study,
class or parameter name is shown as text and never read as HTML.

Inline CSS, no scripts, no network: the page reads well mailed or served as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import optuna
from optuna.trial import FrozenTrial

from search.metrics import Detail, objectives
from search.study import FamilyTime, StudyConfig, StudyStatus, TrialSummary, summarize_trial
from search.views._references import Reference, answer_name, versus_references
from search.views._report_template import PAGE
from spaces import Task

if TYPE_CHECKING:  # loaded when a page is rendered: a worker imports this package without it
    import jinja2

BEST_FIGURES = ("confusion.png", "per_label.png")


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


@dataclass(frozen=True)
class Cell:
    """A table cell's text; ``bar`` (0 to 1) draws it as a bar behind the text."""

    text: str
    bar: float | None = None


@dataclass(frozen=True)
class Row:
    cells: list[Cell]
    css: str = ""


@dataclass(frozen=True)
class Table:
    """An HTML table; the columns in ``left`` are text (left-aligned), the others numbers."""

    head: list[str]
    rows: list[Row]
    left: tuple[int, ...] = (0,)


def _row(*values: Any, css: str = "") -> Row:
    return Row([v if isinstance(v, Cell) else Cell(_fmt(v)) for v in values], css)


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def family_table(families: list[FamilyTime]) -> Table | None:
    """Where the time went, by model family."""
    if not families:
        return None
    return Table(list(FamilyTime.COLUMNS), [_row(*f.cells(), f.best) for f in families])


def _best_context(best: TrialSummary, config: StudyConfig, refs: Sequence[Reference],
                  answer: dict[str, Any] | None) -> dict[str, Any]:
    metrics = objectives(config.task)
    rows = [_row(f"trial {best.number}", *[best.metrics.get(m) for m in metrics])]
    rows += [_row(ref.label, *[ref.metrics.get(m) for m in metrics], css="reference")
             for ref in refs if ref.trial != best.number]
    facts = [f"best epoch {_fmt(best.best_epoch)} of {_fmt(best.epochs_run)} run",
             f"worker {_fmt(best.worker)}", f"device {_fmt(best.gpu)}"]
    if best.duration_s is not None:
        facts.append(f"took {best.duration_s:.0f} s")
    estimate = (answer or {}).get("estimate")
    if answer and estimate:
        facts.append(f"the answer ({answer_name(answer)}): honest estimate "
                     f"{estimate['value']:.4f}, 90% interval {estimate['low']:.4f} to "
                     f"{estimate['high']:.4f}, on {answer['held_rows']} held rows no choice "
                     "has seen")
    return {
        "number": best.number, "value": _fmt(best.value), "facts": facts,
        "versus": [s[0].upper() + s[1:] + "." for s in versus_references(best, refs, config,
                                                                          answer)],
        "table": Table(["", *[m.value + (" *" if m == config.metric else "")
                              for m in metrics]], rows),
        "params": [(name, _fmt(value)) for name, value in best.params.items()],
    }


def _per_class_context(best: FrozenTrial, config: StudyConfig) -> dict[str, Any]:
    per_class: dict[str, dict[str, Any]] | None = best.user_attrs.get(Detail.PER_CLASS)
    word = "label" if config.task is Task.MULTILABEL else "class"
    if not per_class:
        return {"title": f"Per-{word} metrics", "word": word, "trial": best.number,
                "table": None}
    rows = []
    for label, m in per_class.items():
        f1 = max(0.0, min(float(m.get("f1", 0.0)), 1.0))
        rows.append(_row(label, m.get("precision"), m.get("recall"),
                         Cell(_fmt(m.get("f1")), bar=f1), m.get("support")))
    weakest = min(per_class.items(), key=lambda kv: float(kv[1].get("f1", 0.0)))
    return {"title": f"Per-{word} metrics of trial {best.number}", "word": word,
            "trial": best.number, "weakest": weakest[0],
            "weakest_f1": _fmt(weakest[1].get("f1")),
            "table": Table([word, "precision", "recall", "F1", "support"], rows)}


def _running_table(status: StudyStatus, max_epochs: int) -> Table | None:
    if not status.running:
        return None
    return Table(["trial", "worker", "device", "epoch"],
                 [_row(r.number, r.worker, r.gpu, f"{_fmt(r.epoch)}/{max_epochs}")
                  for r in status.running], left=(0, 1, 2))


def _failures_table(status: StudyStatus) -> Table | None:
    if not status.failures:
        return None
    reasons: dict[str, list[int]] = {}
    for failure in status.failures:
        reasons.setdefault(failure.reason, []).append(failure.number)
    return Table(["reason", "trials", "trial numbers"],
                 [_row(reason, len(numbers), ", ".join(map(str, numbers[:20]))
                       + (" …" if len(numbers) > 20 else ""))
                  for reason, numbers in reasons.items()], left=(0, 2))


def _budget(config: StudyConfig) -> str:
    parts = [f"{config.budget.n_trials} trials" if config.budget.n_trials else "",
             f"{config.budget.timeout:.0f} s" if config.budget.timeout else ""]
    return ", ".join(p for p in parts if p) or "none"


@cache
def _template() -> jinja2.Template:
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True)
    return env.from_string(PAGE)


def render_html(status: StudyStatus, config: StudyConfig, best: FrozenTrial | None,
                report: Report, refs: Sequence[Reference] = ()) -> str:
    """The page; ``best`` is the best trial (its per-class metrics), None when none finished;
    ``refs`` what the search is measured against (``_references.references``)."""
    search = config.search
    return _template().render(
        study=status.study, task=config.task.value, n_classes=len(config.classes),
        metric=config.metric.value, direction=config.direction.value,
        pruner=search.pruner.value, sampler=search.sampler.value,
        max_epochs=search.max_epochs, budget=_budget(config),
        created=(datetime.fromtimestamp(config.created_at).strftime("%Y-%m-%d %H:%M")
                 if config.created_at else "?"),
        headline=report.headline, bad=best is None and bool(status.n_trials),
        counts=sorted(status.counts.items()),
        best=(_best_context(summarize_trial(best, config), config, refs, status.answer)
              if best is not None else None),
        families=family_table(status.families),
        study_figures=[f for f in report.figures if f.file not in BEST_FIGURES],
        per_class=_per_class_context(best, config) if best is not None else None,
        best_figures=[f for f in report.figures if f.file in BEST_FIGURES],
        running=_running_table(status, config.search.max_epochs),
        failures=_failures_table(status), n_failures=len(status.failures),
        notes=report.notes, optuna_version=optuna.__version__,
        written_at=f"{datetime.now():%Y-%m-%d %H:%M:%S}")
