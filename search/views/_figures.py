"""The report's figures, drawn with matplotlib's Agg backend (no display, no TensorFlow).

Each ``draw_*`` function writes one PNG and returns its caption; it raises ``NoFigure`` with
the reason when the study cannot give that figure yet (too few trials, nothing recorded).
Optuna's own matplotlib plots are used where they read well; the learning curves, importances,
confusion matrix and per-label bars are drawn here to show what Optuna's do not (pruned
curves apart from finished ones, class names, supports). The history and the learning curves
carry the study's references (``_references``) as labelled horizontal lines, so a reader sees
at a glance whether the search beat the baselines and the expert's model.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

import optuna
from optuna.trial import TrialState

from search.study import StudyConfig, best_of, completed
from search.views._references import Reference, references

if TYPE_CHECKING:  # matplotlib loads when a figure is drawn: a worker never draws one
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 110
BASELINE_STYLES = ("--", ":", "-.")
BASELINE_COLOUR = "#555555"
EXPERT_COLOUR = "#9467bd"
STATE_COLOURS = {TrialState.COMPLETE: "#1f77b4", TrialState.PRUNED: "#e8872a",
                 TrialState.RUNNING: "#2ca02c", TrialState.FAIL: "#d62728"}


class NoFigure(Exception):
    """This figure cannot be drawn for this study (yet); the message says why."""


def _pyplot() -> ModuleType:
    """pyplot on the Agg backend (files only, no display), unless the caller's program chose
    a backend already by importing pyplot (a notebook, say): then that one is kept."""
    if "matplotlib.pyplot" not in sys.modules:
        importlib.import_module("matplotlib").use("Agg")
    return importlib.import_module("matplotlib.pyplot")


@contextmanager
def _drawing() -> Iterator[ModuleType]:
    """pyplot in the house style, with Optuna's experimental-API warnings (and its warnings
    about few trials, which the captions state) kept out of the user's terminal."""
    plt = _pyplot()
    with plt.rc_context({"figure.figsize": (9.0, 4.6), "font.size": 9.0,
                         "axes.titlesize": 11.0, "axes.spines.top": False,
                         "axes.spines.right": False}), warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        warnings.simplefilter("ignore", UserWarning)
        yield plt


def _save(figure: Figure, path: Path) -> None:
    from matplotlib.ticker import NullFormatter

    # Labelled minor ticks on log axes (2x10^1, 3x10^1...) overlap; the major ones suffice.
    for axes in figure.axes:
        if axes.get_xscale() == "log":
            axes.xaxis.set_minor_formatter(NullFormatter())
        if axes.get_yscale() == "log":
            axes.yaxis.set_minor_formatter(NullFormatter())
    figure.savefig(path, dpi=DPI, bbox_inches="tight", facecolor="white")
    _pyplot().close(figure)


def _figure_of(axes: Axes | Any) -> Figure:
    first = axes.flat[0] if hasattr(axes, "flat") else axes
    return cast("Figure", first.figure)


def _require_two_completed(study: optuna.Study, what_needs: str) -> None:
    """Refuse a figure drawn from at least two completed trials while there are fewer."""
    if len(completed(study.get_trials(deepcopy=False))) < 2:
        raise NoFigure(f"{what_needs} at least 2 completed trials")


def _save_optuna_plot(plot: Callable[[], Any], size: tuple[float, float], path: Path) -> None:
    """Draw one of Optuna's matplotlib plots (``plot()``), at ``size`` inches, into ``path``."""
    with _drawing():
        figure = _figure_of(plot())
        figure.set_size_inches(*size)
        _save(figure, path)


def _draw_references(ax: Axes, found: list[Reference]) -> list[str]:
    """Each reference with a value on the objective as a horizontal line, labelled at its
    right end and in the legend; returns what was drawn, as the caption names it."""
    drawn = []
    baselines = 0
    for ref in found:
        if ref.value is None:
            continue
        if ref.is_baseline:
            colour, style = BASELINE_COLOUR, BASELINE_STYLES[baselines % len(BASELINE_STYLES)]
            baselines += 1
        else:
            colour, style = EXPERT_COLOUR, "-"
        ax.axhline(ref.value, color=colour, linestyle=style, linewidth=1.2, alpha=0.9,
                   label=f"{ref.label}: {ref.value:.4g}")
        ax.annotate(ref.label, xy=(1.0, ref.value), xycoords=ax.get_yaxis_transform(),
                    xytext=(-3, 2), textcoords="offset points", ha="right", va="bottom",
                    fontsize=7.5, color=colour)
        drawn.append(f"{ref.label} ({ref.value:.4g})")
    return drawn


def _lines_caption(drawn: list[str]) -> str:
    return f"; horizontal lines: {', '.join(drawn)}" if drawn else ""


def draw_history(study: optuna.Study, config: StudyConfig, path: Path) -> str:
    """Objective of each finished trial, the best so far, and the references as lines."""
    trials = study.get_trials(deepcopy=False)
    done = completed(trials)
    if not done:
        raise NoFigure("no trial has completed yet")
    with _drawing():
        ax = optuna.visualization.matplotlib.plot_optimization_history(
            study, target_name=config.metric)
        drawn = _draw_references(ax, references(trials, config))
        ax.set_title(f"Optimisation history ({config.metric}, {config.direction})")
        ax.legend(loc="best", fontsize=8)
        _save(_figure_of(ax), path)
    return (f"{config.metric} of the {len(done)} completed trials in the order they ran, with "
            f"the best so far{_lines_caption(drawn)}.")


def draw_learning_curves(study: optuna.Study, config: StudyConfig, path: Path) -> str:
    """Every trial's per-epoch objective: completed in blue, pruned in orange ending in a
    cross at the epoch they were stopped, running in green, the best trial thick."""
    every = study.get_trials(deepcopy=False)
    trials = [t for t in every if t.intermediate_values]
    if not trials:
        raise NoFigure("no trial has reported an epoch yet")
    best = best_of(trials, config.direction)
    counts: dict[TrialState, int] = {}
    with _drawing() as plt:
        fig, ax = plt.subplots()
        for t in sorted(trials, key=lambda t: t.state is TrialState.COMPLETE):
            steps = sorted(t.intermediate_values)
            values = [t.intermediate_values[s] for s in steps]
            colour = STATE_COLOURS.get(t.state, "grey")
            counts[t.state] = counts.get(t.state, 0) + 1
            is_best = best is not None and t.number == best.number
            ax.plot(steps, values, color=colour, alpha=1.0 if is_best else 0.55,
                    linewidth=2.6 if is_best else 1.0,
                    linestyle="--" if t.state is TrialState.RUNNING else "-")
            if t.state is TrialState.PRUNED:
                ax.plot(steps[-1], values[-1], marker="x", color=colour, markersize=8,
                        markeredgewidth=2)
            if is_best:
                ax.annotate(f"best: trial {t.number}", (steps[-1], values[-1]),
                            textcoords="offset points", xytext=(6, 0), fontsize=8)
        for state, n in sorted(counts.items(), key=lambda kv: kv[0].value):
            ax.plot([], [], color=STATE_COLOURS.get(state, "grey"),
                    marker="x" if state is TrialState.PRUNED else None,
                    label=f"{state.name.lower()} ({n})")
        drawn = _draw_references(ax, references(every, config))
        ax.set_xlabel("epoch")
        ax.set_ylabel(config.metric)
        ax.set_xlim(left=0.8)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_title("Learning curves: the objective after each epoch")
        ax.legend(loc="best", fontsize=8)
        _save(fig, path)
    parts = [f"{n} {s.name.lower()}" for s, n in sorted(counts.items(), key=lambda kv: kv[0].value)]
    return (f"{config.metric} after each epoch for {len(trials)} trials ({', '.join(parts)}); "
            f"a cross marks the epoch where the pruner stopped a trial{_lines_caption(drawn)}.")


def param_importances(study: optuna.Study) -> dict[str, float]:
    """PED-ANOVA importances over the completed trials (conditional params included)."""
    _require_two_completed(study, "parameter importances need")
    with _drawing():
        try:
            return optuna.importance.get_param_importances(study)
        except (ValueError, RuntimeError, ZeroDivisionError) as exc:
            raise NoFigure(f"optuna could not estimate importances: {exc}") from None


def draw_importances(importances: dict[str, float], n_trials: int, path: Path,
                     top: int = 15) -> str:
    if not importances:
        raise NoFigure("no parameter varied between the completed trials")
    shown = list(importances.items())[:top][::-1]
    with _drawing() as plt:
        fig, ax = plt.subplots(figsize=(9.0, 0.8 + 0.32 * len(shown)))
        ax.barh([name for name, _ in shown], [v for _, v in shown], color="#1f77b4")
        for i, (_, v) in enumerate(shown):
            ax.text(v, i, f" {v:.2f}", va="center", fontsize=8)
        ax.set_xlabel("importance (share of the objective's variation, PED-ANOVA)")
        ax.set_title("Parameter importances")
        _save(fig, path)
    caution = " With this few trials they are rough." if n_trials < 20 else ""
    return (f"How much each parameter moves the objective, estimated from {n_trials} completed "
            f"trials.{caution}")


def draw_parallel(study: optuna.Study, config: StudyConfig, params: list[str],
                  path: Path) -> str:
    _require_two_completed(study, "a parallel-coordinates plot needs")
    if len(params) < 2:
        raise NoFigure("a parallel-coordinates plot needs at least 2 varying parameters")
    _save_optuna_plot(lambda: optuna.visualization.matplotlib.plot_parallel_coordinate(
        study, params=params, target_name=config.metric), (10.0, 4.8), path)
    return (f"Completed trials across the main parameters ({', '.join(params)}), coloured by "
            f"{config.metric}.")


def draw_slices(study: optuna.Study, config: StudyConfig, params: list[str],
                path: Path) -> str:
    _require_two_completed(study, "slice plots need")
    if not params:
        raise NoFigure("no parameter varied between the completed trials")
    _save_optuna_plot(lambda: optuna.visualization.matplotlib.plot_slice(
        study, params=params, target_name=config.metric),
        (min(3.2 * len(params), 13.0), 3.6), path)
    return (f"{config.metric} against each main parameter ({', '.join(params)}); the colour is "
            "the trial number.")


def draw_timeline(study: optuna.Study, path: Path) -> str:
    trials = [t for t in study.get_trials(deepcopy=False) if t.datetime_start is not None]
    if not trials:
        raise NoFigure("no trial has started yet")
    _save_optuna_plot(lambda: optuna.visualization.matplotlib.plot_timeline(study),
                      (9.0, min(1.5 + 0.18 * len(trials), 12.0)), path)
    return "When each trial ran, and how it ended."


def _short(label: str, width: int = 18) -> str:
    return label if len(label) <= width else label[:width - 1] + "…"


def draw_confusion(matrix: list[list[int]], classes: list[str], trial_number: int,
                   path: Path) -> str:
    """Counts in the cells, colour by share of the true class (so rare classes show too)."""
    import numpy as np

    counts = np.asarray(matrix, dtype=float)
    n = counts.shape[0]
    if counts.ndim != 2 or counts.shape != (n, n) or n != len(classes):
        raise NoFigure(f"the recorded confusion matrix is {counts.shape}, not "
                       f"{len(classes)}x{len(classes)} for the study's classes")
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    side = min(max(4.0, 0.55 * n + 2.0), 16.0)
    with _drawing() as plt:
        fig, ax = plt.subplots(figsize=(side + 1.2, side))
        image = ax.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0)
        names = [_short(c) for c in classes]
        ax.set_xticks(range(n), names, rotation=45 if n > 3 else 0, ha="right" if n > 3
                      else "center")
        ax.set_yticks(range(n), names)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        if n <= 25:
            for i in range(n):
                for j in range(n):
                    ax.text(j, i, f"{int(counts[i, j])}", ha="center", va="center",
                            fontsize=8 if n <= 12 else 6,
                            color="white" if shares[i, j] > 0.55 else "black")
        ax.set_title(f"Confusion matrix of trial {trial_number}")
        fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="share of the true class")
        _save(fig, path)
    return (f"Validation rows of trial {trial_number}: true class by row, prediction by column; "
            "numbers are counts, the colour is the share of the row.")


def draw_per_label(per_class: dict[str, dict[str, Any]], trial_number: int,
                   path: Path) -> str:
    """Precision, recall and F1 of each label, side by side (multi-label)."""
    if not per_class:
        raise NoFigure("the best trial recorded no per-label metrics")
    labels = list(per_class)
    with _drawing() as plt:
        fig, ax = plt.subplots(figsize=(9.0, 1.0 + 0.45 * len(labels)))
        height = 0.26
        for k, (metric, colour) in enumerate((("precision", "#1f77b4"), ("recall", "#e8872a"),
                                              ("f1", "#2ca02c"))):
            ax.barh([i + (k - 1) * height for i in range(len(labels))],
                    [float(per_class[lab].get(metric, 0.0)) for lab in labels],
                    height=height, color=colour, label=metric)
        ax.set_yticks(range(len(labels)),
                      [f"{_short(lab)} (n={per_class[lab].get('support', '?')})"
                       for lab in labels])
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel("score on the validation rows")
        ax.set_title(f"Per-label metrics of trial {trial_number}")
        ax.legend(loc="lower right", fontsize=8)
        _save(fig, path)
    return (f"Precision, recall and F1 of each label for trial {trial_number} (n: validation "
            "rows carrying the label).")
