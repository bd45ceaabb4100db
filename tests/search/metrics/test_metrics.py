import numpy as np
import pytest

from search.metrics import RECORDED, Detail, Metric
from search.metrics._evaluate import best_f1_threshold, evaluate
from spaces import Task


def test_threshold_is_tuned_for_f1_not_left_at_half() -> None:
    y = np.array([0] * 90 + [1] * 10)
    p = np.concatenate([np.full(90, 0.1), np.full(10, 0.3)])  # positives score low but apart
    assert 0.1 < best_f1_threshold(y, p) <= 0.3
    metrics = evaluate("binary", y.astype(float), p, ["no", "yes"])
    assert metrics["recall"] == 1.0 and metrics["f1_positive"] == 1.0
    untuned = evaluate("binary", y.astype(float), p, ["no", "yes"], tune=False)
    assert untuned["recall"] == 0.0 and untuned["positive_rate"] == 0.0


def test_all_zero_multilabel_predictions_are_visible() -> None:
    y = np.zeros((50, 3), dtype=int)
    y[np.arange(50), np.arange(50) % 3] = 1
    probs = np.full((50, 3), 0.05)
    metrics = evaluate("multilabel", y, probs, ["a", "b", "c"], tune=False)
    assert metrics["all_zero_rows"] == 1.0
    assert metrics["recall"] == 0.0
    assert metrics["hamming_accuracy"] > 0.6  # the trap: high accuracy, nothing found


def test_multiclass_loss_is_plain_cross_entropy() -> None:
    probs = np.array([[0.5, 0.5], [0.25, 0.75]])
    metrics = evaluate("multiclass", np.array([0, 1]), probs, ["a", "b"])
    assert np.isclose(metrics["val_loss"], -(np.log(0.5) + np.log(0.75)) / 2)
    assert metrics["confusion_matrix"] == [[1, 0], [0, 1]]


def test_multilabel_records_micro_f1_next_to_macro_f1() -> None:
    y = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 0], [1, 0, 0]])
    probs = np.array([[0.9, 0.1, 0.2], [0.8, 0.3, 0.1], [0.2, 0.1, 0.1], [0.1, 0.2, 0.1]])
    metrics = evaluate("multilabel", y, probs, ["a", "b", "c"], thresholds=[0.5] * 3)
    # Predicted positives: (0, a), (1, a); true positives: (0, a), (1, a), (1, b), (3, a).
    assert metrics[Metric.MICRO_F1] == pytest.approx(2 * 2 / (2 + 4))
    # a: P 1, R 2/3 (F1 0.8); b: F1 0; c has no positives and is left out of the macro mean.
    assert metrics[Metric.MACRO_F1] == pytest.approx(0.4)
    assert set(RECORDED[Task.MULTILABEL]) <= set(metrics)


@pytest.mark.parametrize(("task", "y", "probs"), [
    (Task.MULTICLASS, np.array([0, 1, 2, 1]), np.eye(3)[[0, 1, 1, 1]] * 0.8 + 0.05),
    (Task.BINARY, np.array([0.0, 1.0, 1.0, 0.0]), np.array([0.2, 0.7, 0.4, 0.1])),
    (Task.MULTILABEL, np.array([[1, 0], [0, 1], [1, 1], [0, 0]]),
     np.array([[0.8, 0.1], [0.3, 0.6], [0.7, 0.4], [0.2, 0.2]])),
])
def test_evaluate_returns_every_metric_the_task_records(task: Task, y: np.ndarray,
                                                       probs: np.ndarray) -> None:
    """evaluate spells the names as plain strings (it is copied into exported scripts); they
    must be the ones ``Metric`` and ``Detail`` give."""
    classes = ["a", "b", "c"][:probs.shape[1] if task is not Task.BINARY else 2]
    metrics = evaluate(task.value, y, probs, classes)
    assert set(RECORDED[task]) <= set(metrics)
    scalars = {k for k, v in metrics.items() if isinstance(v, float)}
    assert scalars == set(RECORDED[task])
    assert set(metrics) - scalars <= {d.value for d in Detail}
