import numpy as np

from search.metrics._evaluate import best_f1_threshold, evaluate


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
