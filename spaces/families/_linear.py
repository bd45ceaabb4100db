"""``linear``: the bag of word and character n-grams straight into the output, its weights found
by a convex solver (scikit-learn's LinearSVC or logistic regression) rather than by epochs of
Adam, then loaded into the Keras layer, so the exported model is that Keras model.

This is the model a text-classification expert fits first; its first starting points are that
expert's grid (C and class weights, picked on validation as the expert picks them), and the
TF-IDF + logistic regression baseline every study reports, so that the search's answer is not
behind it on validation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spaces.families._bag import BAG_KEYS, bag_input, bag_setting, describe_bag, sample_bag
from spaces.families._base import Family, Pick, SampleContext, SolveScript, StartingPoint
from spaces.families._code import Code, Dims
from spaces.features import BagSetting
from spaces.keys import Choice, FloatRange, Key

SOLVERS = ("svm", "logreg")
EXPERT = "expert"  # the name its first starting points are queued under
_EXPERT_PARAMS = {"family": "linear", "solver": "svm", "ngram_order": 2, "ngram_vocab": 200_000,
           "ngram_weighting": "tfidf", "chars": True, "char_orders": "2-5",
           "char_vocab": 200_000}
BASELINE = "TF-IDF + LR"
_BASELINE_PARAMS = {"family": "linear", "solver": "logreg", "ngram_order": 2,
                    "ngram_vocab": 100_000, "ngram_weighting": "tfidf", "chars": False}
# The expert's grid, in the order most likely to be picked first (the best on validation of
# these is the expert's model, which the search must beat to change the answer), with the
# baseline second: it is the study's TF-IDF + LR baseline (a words-only bag, quick to solve),
# recorded as such by the worker that runs it.
_FIRST = ((EXPERT, 1.0, "balanced"), (BASELINE, 4.0, "none"), (EXPERT, 0.3, "balanced"),
          (EXPERT, 1.0, "none"), (EXPERT, 3.0, "balanced"), (EXPERT, 0.3, "none"),
          (EXPERT, 0.1, "balanced"))


class Linear(Family):
    name = "linear"
    summary = ("the bag of word and character n-grams into a linear model solved to the "
               "optimum (LinearSVC or logistic regression)")
    keys = {**BAG_KEYS,
            "solver": Key("choice", Choice(SOLVERS), allowed=SOLVERS,
                          help="svm: scikit-learn's LinearSVC (squared hinge); logreg: "
                               "logistic regression; one-vs-rest either way"),
            "linear_c": Key("float", FloatRange(0.01, 10.0, log=True), (1e-6, 1e6),
                            help="inverse strength of the L2 penalty (C)")}
    reads = ("ngrams",)
    walked = "linear_c"
    starting_points = tuple(
        StartingPoint(name, rank, {**(_EXPERT_PARAMS if name == EXPERT else _BASELINE_PARAMS),
                                   "linear_c": c, "class_weight": weight})
        for rank, (name, c, weight) in enumerate(_FIRST))

    def sample(self, pick: Pick, params: dict[str, Any], context: SampleContext) -> None:
        sample_bag(pick, params)
        params["solver"] = pick("solver")
        params["linear_c"] = pick("linear_c")

    def has_head(self, params: dict[str, Any]) -> bool:
        return False

    def solve(self, params: dict[str, Any], x: Any, targets: Any, sample_weight: Any,
              positive_weight: list[float] | None, *, seed: int,
              stop: Callable[[int], Exception | None] | None = None) -> tuple[Any, Any, int]:
        return solve(x, targets, sample_weight, positive_weight, solver=params["solver"],
                     c=params["linear_c"], seed=seed, stop=stop)

    def solve_script(self, params: dict[str, Any]) -> SolveScript:
        return SolveScript(solve, f"solve(x, targets, sample_weight, positive, solver="
                                  f"{params['solver']!r},\n        c={params['linear_c']!r}, "
                                  "seed=SEED)")

    def bag(self, params: dict[str, Any]) -> BagSetting:
        return bag_setting(params)

    def network(self, code: Code, params: dict[str, Any], dims: Dims) -> None:
        bag_input(code, self.bag(params), dims)
        code(f"# Straight into the output: its weights are {_solver_name(params)}'s, loaded "
             "after fitting.")
        code(f'logits = layers.Dense({dims.n_outputs}, dtype="float32", name="logits")(ngrams)')

    def describe(self, params: dict[str, Any]) -> str:
        return f"{_solver_name(params)} (C {params['linear_c']:.3g}) on " + describe_bag(
            self.bag(params))


def _solver_name(params: dict[str, Any]) -> str:
    return "LinearSVC" if params["solver"] == "svm" else "logistic regression"


def solve(x, targets, sample_weight, positive_weight, *, solver, c, seed, stop=None,
          max_iter=1000):
    """One-vs-rest: a binary linear model per column of ``targets`` (0/1), on the sparse
    features ``x``, rows weighted by ``sample_weight`` and each column's positives by
    ``positive_weight``. Returns (kernel of shape (features, columns), bias, how many columns
    reached the iteration limit before converging). A column with a single value gets a
    constant model.

    The columns are fitted on threads (scikit-learn's liblinear releases the GIL), one per CPU
    this process may use, up to four, in a seeded random order: the first ones done are a fair
    sample of the pace (classes often come largest first, and a large class is slower to
    separate). Before each column starts, ``stop(columns done)`` may return an exception (a
    deadline passed, a cost cap): then no further column starts, and it is raised once the
    running ones end."""
    import os
    import threading
    import warnings
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    x = x.astype("float64")  # once, rather than a copy per column in scikit-learn
    lock, done, stopped = threading.Lock(), [0], []  # type: ignore[var-annotated]

    def fit(column):
        with lock:
            reason = None if stop is None or stopped else stop(done[0])
            if reason:
                stopped.append(reason)
            if stopped:
                return None
        y = targets[:, column]
        if y.min() == y.max():  # nothing to separate: always this value
            fitted = np.zeros(x.shape[1], "float32"), 10.0 if y[0] else -10.0, False
        else:
            weight = None if positive_weight is None else {0: 1.0, 1: positive_weight[column]}
            model = (LinearSVC(C=c, class_weight=weight, random_state=seed, max_iter=max_iter)
                     if solver == "svm" else
                     LogisticRegression(C=c, class_weight=weight, solver="liblinear",
                                        dual=True, random_state=seed, max_iter=max_iter))
            model.fit(x, y, sample_weight=sample_weight)
            fitted = (model.coef_[0].astype("float32"), float(model.intercept_[0]),
                      int(np.max(model.n_iter_)) >= max_iter)
        with lock:
            done[0] += 1
        return fitted

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # counted instead: n_iter_
        with ThreadPoolExecutor(max_workers=min(len(os.sched_getaffinity(0)), 4)) as pool:
            order = np.random.default_rng(seed).permutation(targets.shape[1]).tolist()
            by_column = dict(zip(order, pool.map(fit, order), strict=True))
    if stopped:
        raise stopped[0]
    fitted = [by_column[column] for column in range(targets.shape[1])]
    kernel = np.stack([f[0] for f in fitted], axis=1)
    return (kernel, np.asarray([f[1] for f in fitted], dtype="float32"),
            sum(f[2] for f in fitted))
