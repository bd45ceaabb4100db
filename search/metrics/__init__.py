"""What a trial measures and records: metric names and which way each is better, the metrics
each task records, may optimise and shows, the keys of a trial's attributes, and ``evaluate``
(scores and F1-tuned decision thresholds on the validation split), and the decisions: labels from
probabilities with the thresholds (``predict_labels``, ``class_probabilities``, ``label_names``,
which ``hpsearch predict`` and the prediction script beside an exported model run alike).

May import ``spaces`` (``Task``) and ``storage`` (the fail-reason key). The names load at once
(the CLI's ``--help`` needs them); ``evaluate`` and the threshold helpers load scikit-learn on
first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

from search.metrics._compare import ahead, versus_baselines
from search.metrics._names import Detail, Direction, Metric
from search.metrics._tasks import (
    DEFAULT_OBJECTIVE,
    HEADLINE,
    KEY_METRICS,
    RECORDED,
    check_metric,
    objectives,
)
from search.metrics._trial_attrs import TrialAttr

if TYPE_CHECKING:
    from search.metrics._evaluate import (
        PREDICT_FUNCTIONS,
        SCRIPT_FUNCTIONS,
        best_f1_threshold,
        class_probabilities,
        evaluate,
        label_names,
        predict_labels,
        tune_thresholds,
    )
    from search.metrics._honest import Interval, held_interval, paired_gain

__getattr__ = lazy_loader.attach(__name__, submod_attrs={
    "_evaluate": ["PREDICT_FUNCTIONS", "SCRIPT_FUNCTIONS", "best_f1_threshold",
                  "class_probabilities", "evaluate", "label_names", "predict_labels",
                  "tune_thresholds"],
    "_honest": ["Interval", "held_interval", "paired_gain"],
})[0]


__all__ = [
    "DEFAULT_OBJECTIVE",
    "HEADLINE",
    "KEY_METRICS",
    "PREDICT_FUNCTIONS",
    "RECORDED",
    "SCRIPT_FUNCTIONS",
    "Detail",
    "Direction",
    "Interval",
    "Metric",
    "TrialAttr",
    "ahead",
    "best_f1_threshold",
    "check_metric",
    "class_probabilities",
    "evaluate",
    "held_interval",
    "label_names",
    "objectives",
    "paired_gain",
    "predict_labels",
    "tune_thresholds",
    "versus_baselines",
]
