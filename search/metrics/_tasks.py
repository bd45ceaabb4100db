"""Which metrics each task records, which may be the objective, and which a table shows."""

from __future__ import annotations

from search._errors import StudyError
from search.metrics._names import Metric
from spaces import Task

_COMMON = (Metric.VAL_LOSS, Metric.ACCURACY, Metric.MACRO_F1)

# The scalars ``evaluate`` returns for each task (what a trial and a baseline record).
RECORDED: dict[Task, tuple[Metric, ...]] = {
    Task.MULTICLASS: _COMMON,
    Task.BINARY: (*_COMMON, Metric.PRECISION, Metric.RECALL, Metric.F1_POSITIVE, Metric.PR_AUC,
                  Metric.POSITIVE_RATE),
    Task.MULTILABEL: (*_COMMON, Metric.MICRO_F1, Metric.HAMMING_ACCURACY, Metric.PRECISION,
                      Metric.RECALL, Metric.PR_AUC_MICRO, Metric.PR_AUC_MACRO,
                      Metric.ALL_ZERO_ROWS),
}

# The columns of leaderboards and status tables: what tells trials apart for the task.
HEADLINE: dict[Task, tuple[Metric, ...]] = {
    Task.MULTICLASS: _COMMON,
    Task.BINARY: (*_COMMON, Metric.F1_POSITIVE, Metric.PR_AUC),
    Task.MULTILABEL: (*_COMMON, Metric.MICRO_F1, Metric.RECALL, Metric.PR_AUC_MICRO),
}


# The task's headline metrics: what "better than the baselines" means, each compared on its
# own (a lower val_loss says nothing of a worse F1 at the threshold).
KEY_METRICS: dict[Task, tuple[Metric, ...]] = {
    Task.MULTICLASS: _COMMON,
    Task.BINARY: (Metric.F1_POSITIVE, Metric.PR_AUC),
    Task.MULTILABEL: (Metric.MICRO_F1, Metric.MACRO_F1),
}


# The objective when --metric is not given: the headline metric that ranks models the way a user
# reads them. Measured: selecting by val_loss picked a multi-label model 4 points of micro-F1
# below the best trial's; selecting by accuracy picked a 43-class MLP 0.2 points of accuracy
# above a linear model that was 4 points of macro-F1 ahead (rare classes are what separates
# models, and what an imbalanced multi-class task is usually stuck on).
DEFAULT_OBJECTIVE: dict[Task, Metric] = {
    Task.MULTICLASS: Metric.MACRO_F1,
    Task.BINARY: Metric.PR_AUC,
    Task.MULTILABEL: Metric.MICRO_F1,
}


def objectives(task: Task) -> tuple[Metric, ...]:
    """The metrics a study of ``task`` may optimise: those it records that have a direction."""
    return tuple(m for m in RECORDED[task] if m.direction is not None)


def check_metric(metric: Metric, task: Task) -> None:
    """Refuse an objective the task does not record."""
    if metric not in objectives(task):
        raise StudyError(
            f"--metric {metric.value!r} is not recorded for a {task.value} task. "
            f"Choose one of: {', '.join(objectives(task))}."
        )
