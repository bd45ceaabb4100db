"""Model building (real Keras, tiny models): heads per task, and padding that changes nothing."""

import numpy as np
import pytest

pytestmark = pytest.mark.slow

BASE = {"rnn_layers": 1, "cell": "lstm", "rnn_units": 6, "bidirectional": True,
        "embedding_dim": 8, "embedding_dropout": 0.0, "dropout": 0.0, "conv": True,
        "conv_filters": 5, "conv_kernel": 3, "pooling": "max_avg", "dense_layers": 1,
        "dense_units": 7, "learning_rate": 1e-3, "batch_size": 32, "class_weight": "none",
        "loss": "crossentropy"}


@pytest.mark.parametrize("changes", [
    {},
    {"rnn_layers": 0, "conv": False, "pooling": "max"},
    {"cell": "gru", "conv": False, "pooling": "last"},
    {"conv": False, "pooling": "avg", "bidirectional": False},
])
def test_padding_does_not_change_predictions(changes: dict[str, object]) -> None:
    from spaces._model import build_model

    model = build_model({**BASE, **changes}, task="multiclass", n_outputs=3, vocab_size=30)
    short = model.predict(np.array([[5, 6, 7]]), verbose=0)
    padded = model.predict(np.array([[5, 6, 7, 0, 0, 0, 0, 0]]), verbose=0)
    np.testing.assert_allclose(short, padded, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(("task", "n_out", "loss_name"), [
    ("multiclass", 4, "sparse_ce"), ("binary", 1, "weighted_bce"),
    ("multilabel", 5, "weighted_bce")])
def test_each_task_gets_its_loss_and_logit_units(task: str, n_out: int, loss_name: str) -> None:
    from spaces._model import build_model

    model = build_model(BASE, task=task, n_outputs=n_out, vocab_size=30,
                        pos_weight=[2.0] * n_out if task == "multilabel" else None)
    assert model.output_shape == (None, n_out)
    assert model.loss.name == loss_name
    assert model.get_layer("logits").dtype_policy.compute_dtype == "float32"


def test_weighted_bce_matches_tensorflow_reference() -> None:
    import tensorflow as tf

    from spaces._losses import WeightedBinaryCrossentropy

    y = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]], dtype="float32")
    logits = np.array([[0.3, -1.2, 2.0], [1.5, 0.1, -0.7]], dtype="float32")
    pos_weight = np.array([27.0, 1.0, 3.0], dtype="float32")
    ours = WeightedBinaryCrossentropy(pos_weight=pos_weight)(y, logits)
    reference = tf.reduce_mean(tf.nn.weighted_cross_entropy_with_logits(y, logits, pos_weight))
    assert float(ours) == pytest.approx(float(reference), rel=1e-5)


def test_top_k_loss_averages_the_hardest_examples_only() -> None:
    from spaces._losses import SparseCrossentropy

    logits = np.array([[5.0, 0.0], [0.0, 5.0], [0.0, 0.0], [2.0, 0.0]], dtype="float32")
    y = np.array([0, 0, 0, 1])
    per_row = -np.log(np.exp(logits[np.arange(4), y]) / np.exp(logits).sum(axis=1))
    hardest_two = np.sort(per_row)[-2:].mean()
    assert float(SparseCrossentropy(top_k=2)(y, logits)) == pytest.approx(hardest_two, rel=1e-5)
