"""Fitting a family solved in one step (``Family.solve``): its convex solver on the trial's
bag, the weights loaded into the family's Keras network, the validation split scored once.

The solver's margins are no probabilities, so they are multiplied by the one scale that makes
the validation log-loss least (temperature scaling): it changes no ranking, no argmax and no
F1-tuned decision, only the loss and what an ensemble averages. The scale is recorded with the
trial and folded into the network's weights.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar

from search.metrics import evaluate
from search.training._prepared import Prepared
from search.training._protocol import FitSettings
from search.training._result import EpochReport, TrainResult
from search.training._rows import (
    PROBE_ROWS,
    memory_note,
    memory_rows,
    next_rung_seconds,
    row_ladder,
    solve_row_bytes,
    solver_threads,
    within_memory,
)
from search.training._targets import solver_targets, solver_weights
from spaces import family_of
from spaces.families import Dims
from spaces.model import build_network, probabilities


def logit_scale(logits: np.ndarray, y: np.ndarray, task: str) -> float:
    """The factor on the logits that makes the log-loss of ``y`` least."""
    def loss(log_scale: float) -> float:
        probs = np.clip(probabilities(logits * np.exp(log_scale), task), 1e-7, 1 - 1e-7)
        if task == "multiclass":
            return float(-np.mean(np.log(probs[np.arange(len(y)), np.asarray(y).astype(int)])))
        target = np.asarray(y).reshape(probs.shape)
        return float(-np.mean(target * np.log(probs) + (1 - target) * np.log(1 - probs)))

    found = minimize_scalar(loss, bounds=(-5.0, 5.0), method="bounded",
                            options={"xatol": 1e-3})
    return float(np.exp(found.x))


# A solve is cut halfway by the cost cap only when it would take this much more than the cap:
# cutting it throws away the columns done, and the pace of the first tenth of them is rough.
# On the 24k-row set the expert's first point was cut at an estimated 26 s of a 25-s cap;
# another point of the grid, solved whole, took 20 s.
CUT_SLACK = 1.5


class _Stopped(Exception):
    """The solve stopped between two columns: the deadline passed, or it would cost more than
    the cost cap."""


def column_limit(settings: FitSettings, columns: int, threads: int, started: float,
                 spent: float = 0.0) -> Callable[[int], _Stopped | None]:
    """``solve``'s ``stop``: past the deadline no column starts; once the first rounds of
    columns are done (a tenth of them, and one per thread at least: the first ones include
    warming up), a solve that would take longer than ``CUT_SLACK`` times the cost cap (less
    ``spent`` seconds already, on smaller rungs), or end past the deadline, stops as too
    costly."""
    judged = max(threads, columns // 10)

    def stop(done: int) -> _Stopped | None:
        now = time.monotonic()
        if settings.deadline is not None and now >= settings.deadline:
            return _Stopped(f"stopped by the deadline after {done} of {columns} columns")
        if done < judged:
            return None
        needs = (now - started) / done * columns
        end = started + needs
        cap = None if settings.cost_limit_s is None else CUT_SLACK * settings.cost_limit_s
        if cap is not None and spent + needs > cap:
            after = f" after {spent:.0f}s on fewer rows" if spent >= 1 else ""
            return _Stopped(f"too costly: {columns} columns would take about {needs:.0f}s"
                            f"{after}, over {CUT_SLACK:g} times the cost cap of "
                            f"{settings.cost_limit_s:.0f}s")
        if settings.deadline is not None and end > settings.deadline:
            return _Stopped(f"too costly: {columns} columns would take about {needs:.0f}s, "
                            f"past the deadline by {end - settings.deadline:.0f}s")
        return None

    return stop


def solve_bag(params: dict[str, Any], x: Any, y: np.ndarray, settings: FitSettings,
              n_outputs: int, stop: Callable[[int], _Stopped | None] | None = None,
              ) -> tuple[np.ndarray, np.ndarray, int]:
    """The family's solver on the bag ``x`` of rows labelled ``y``: (kernel, bias, columns
    that did not converge)."""
    task = settings.task.value
    sample_weight, positive_weight = solver_weights(task, y, params, len(settings.classes))
    return family_of(params).solve(params, x, solver_targets(task, y, n_outputs),
                                   sample_weight, positive_weight, seed=settings.seed,
                                   stop=stop)


def fit_solver(params: dict[str, Any], prepared: Prepared, settings: FitSettings,
               report: EpochReport, dims: Dims) -> TrainResult:
    """Solve on the rungs of ``row_ladder`` in turn: after each but the last, the trial stops
    when the next rung would not fit its cost cap or deadline (kept as it stands), or when
    ``settings.promote`` says it is not among the best at these rows (pruned)."""
    started = time.monotonic()
    data = prepared.data
    row_bytes = solve_row_bytes(prepared.counts_per_row(PROBE_ROWS),
                                prepared.bag_values_per_row(params, PROBE_ROWS), solver_threads())
    ladder = within_memory(row_ladder(len(data.y_train), len(settings.classes)),
                           memory_rows(row_bytes))
    fitted: _Fitted | None = None
    solved = 0.0  # seconds spent solving smaller rungs: what the cost cap counts
    for rows in ladder:
        x_train = prepared.train_inputs(params, rows).bag  # encodes the rows first needed
        solving = time.monotonic()  # encoding is the worker's, once: the cost cap leaves it
        stop = column_limit(settings, dims.n_outputs, solver_threads(), solving, spent=solved)
        try:
            kernel, bias, unconverged = solve_bag(params, x_train, data.y_train[:rows],
                                                  settings, dims.n_outputs, stop)
        except _Stopped as stopped:
            if fitted is None:
                return TrainResult(metrics={}, best_epoch=-1, epochs_run=0,
                                   over_cost=str(stopped), seconds=time.monotonic() - started)
            fitted.grown = f"kept at {fitted.rows} rows: {stopped}"
            break
        fitted = _score(params, prepared, settings, kernel, bias, unconverged, rows,
                        time.monotonic() - solving)
        solved += fitted.seconds
        if rows == ladder[-1]:
            if rows < len(data.y_train):
                fitted.grown = memory_note(rows, row_bytes, len(data.y_train))
            break
        # The time first: a trial with no time for the next rung is kept at this one, its last,
        # where successive halving promotes no one.
        fitted.grown = _no_time(settings, fitted, rows, ladder[ladder.index(rows) + 1], solved)
        if fitted.grown:
            break
        if settings.promote is not None:
            fitted.pruned = settings.promote(rows, float(fitted.metrics[settings.metric]))
            if fitted.pruned:
                break
    assert fitted is not None
    result = fitted.result(params, prepared, settings, dims, report, time.monotonic() - started)
    result.row_bytes = row_bytes
    return result


class _Fitted:
    """One rung's solution, scored on the choosing rows."""

    def __init__(self, kernel: np.ndarray, bias: np.ndarray, scale: float, probs: np.ndarray,
                 metrics: dict[str, Any], unconverged: int, rows: int, seconds: float):
        self.kernel, self.bias, self.scale, self.probs = kernel, bias, scale, probs
        self.metrics, self.unconverged = metrics, unconverged
        self.rows, self.seconds = rows, seconds
        self.pruned: str | None = None  # why the trial stops at these rows, among the worst
        self.grown: str | None = None  # why it stops at these rows, kept

    def result(self, params: dict[str, Any], prepared: Prepared, settings: FitSettings,
               dims: Dims, report: EpochReport, seconds: float) -> TrainResult:
        task = settings.task.value
        report(0, self.metrics)  # fitted to the end already: nothing left to prune
        network = build_network(params, dims, sparse=True)
        network.get_layer("logits").set_weights([self.kernel * self.scale,
                                                 self.bias * self.scale])
        held = None
        if prepared.data.held_texts and not self.pruned:
            x_held = prepared.held_inputs(params).bag
            held = probabilities((np.asarray(x_held @ self.kernel) + self.bias) * self.scale,
                                 task)
        return TrainResult(
            metrics=self.metrics, best_epoch=0, epochs_run=1, seconds=seconds,
            history=[{"epoch": 1, **{k: float(v) for k, v in self.metrics.items()
                                     if isinstance(v, float)}}],
            model=network, policy=network.dtype_policy.name, val_probs=self.probs,
            held_probs=held, logit_scale=self.scale, pruned=self.pruned is not None,
            pruned_reason=self.pruned, rows=self.rows, rows_seconds=self.seconds,
            rows_note=self.grown,
            not_converged=(f"{self.unconverged} of {dims.n_outputs} columns stopped at the "
                           "solver's iteration limit before converging"
                           if self.unconverged else None))


def _score(params: dict[str, Any], prepared: Prepared, settings: FitSettings,
           kernel: np.ndarray, bias: np.ndarray, unconverged: int, rows: int,
           seconds: float) -> _Fitted:
    task = settings.task.value
    y_val = prepared.data.y_val
    logits = np.asarray(prepared.val_inputs(params)[0].bag @ kernel) + bias
    scale = logit_scale(logits, y_val, task)
    probs = probabilities(logits * scale, task)
    metrics = evaluate(task, y_val, probs, settings.classes)
    return _Fitted(kernel, bias, scale, probs, metrics, unconverged, rows, seconds)


def _no_time(settings: FitSettings, fitted: _Fitted, rows: int, next_rows: int,
             spent: float) -> str | None:
    """Why the trial cannot go on to ``next_rows`` (None: it can)."""
    needs = next_rung_seconds(fitted.seconds, rows, next_rows)
    if settings.cost_limit_s is not None and spent + needs > settings.cost_limit_s:
        return (f"kept at {rows} rows: {next_rows} would take about {needs:.0f}s more, over "
                f"the cost cap of {settings.cost_limit_s:.0f}s")
    if settings.deadline is not None and time.monotonic() + needs > settings.deadline:
        return (f"kept at {rows} rows: {next_rows} would take about {needs:.0f}s, past the "
                "deadline")
    return None


