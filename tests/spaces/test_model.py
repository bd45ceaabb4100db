"""Model building (real Keras, tiny models): heads per task, and padding that changes nothing."""

import numpy as np
import pytest

pytestmark = pytest.mark.slow

BASE = {"family": "sequence", "rnn_layers": 1, "cell": "lstm", "rnn_units": 6,
        "bidirectional": True, "embedding_dim": 8, "embedding_dropout": 0.0, "dropout": 0.0,
        "conv": True, "conv_filters": 5, "conv_kernel": 3, "pooling": "max_avg",
        "dense_layers": 1, "dense_units": 7, "learning_rate": 1e-3, "batch_size": 32,
        "class_weight": "none", "loss": "crossentropy"}
NGRAMS = {"ngram_order": 2, "ngram_vocab": 10, "ngram_weighting": "tfidf", "chars": False,
          "ngram_hidden": True, "ngram_units": 4, "ngram_l2": 1e-6}


def _network(params, n_out=3):
    from spaces import Dims
    from spaces.model import build_network

    return build_network(params, Dims(n_out, word_vocab=30, bag_width=11))


@pytest.mark.parametrize("changes", [
    {},
    {"rnn_layers": 0, "conv": False, "pooling": "max"},
    {"cell": "gru", "conv": False, "pooling": "last"},
    {"conv": False, "pooling": "avg", "bidirectional": False},
    {"family": "fasttext", **NGRAMS},
    {"family": "wide_deep", **NGRAMS, "ngram_hidden": False},
])
def test_padding_does_not_change_predictions(changes: dict[str, object]) -> None:
    model = _network({**BASE, **changes})
    bag = np.zeros((1, 11), "float32")
    bag[0, 3] = 1.0
    ids = model.input if isinstance(model.input, dict) else {}

    def feed(length: int) -> dict[str, np.ndarray]:
        row = np.zeros((1, length), "int32")
        row[0, :3] = [5, 6, 7]
        return {name: (bag if name == "ngrams" else row) for name in ids}

    np.testing.assert_allclose(model.predict(feed(3), verbose=0),
                               model.predict(feed(8), verbose=0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(("task", "n_out", "loss_name"), [
    ("multiclass", 4, "sparse_categorical_crossentropy"),
    ("binary", 1, "binary_crossentropy"),
    ("multilabel", 5, "weighted_bce")])
def test_each_task_gets_its_loss_and_logit_units(task: str, n_out: int, loss_name: str) -> None:
    from spaces.model import compile_network

    model = compile_network(_network(BASE, n_out), BASE, task=task,
                            pos_weight=[2.0] * n_out if task == "multilabel" else None)
    assert model.output_shape == (None, n_out)
    assert model.loss.name == loss_name
    assert model.get_layer("logits").dtype_policy.compute_dtype == "float32"


def test_the_first_epoch_traces_the_training_step_once() -> None:
    """compile_network makes the optimizer's slots: made in the first step instead, they make
    TensorFlow trace that step a second time (seconds of every trial)."""
    from spaces.model import compile_network

    model = compile_network(_network(BASE), BASE, task="multiclass")
    traced = []
    step = model.train_step
    model.train_step = lambda data: traced.append(1) or step(data)
    ids = np.random.default_rng(0).integers(1, 30, size=(64, 9)).astype("int32")
    model.fit(ids, np.arange(64) % 3, batch_size=16, epochs=2, verbose=0)
    assert len(traced) == 1


def test_the_linear_model_is_one_dense_layer_on_the_bag() -> None:
    model = _network({"family": "linear", **NGRAMS, "solver": "svm", "linear_c": 1.0,
                      "class_weight": "none"})
    dense = [layer for layer in model.layers if layer.weights]
    assert [layer.name for layer in dense] == ["logits"]  # the solver's weights go there
    assert model.count_params() == 11 * 3 + 3


def test_weighted_bce_matches_tensorflow_reference() -> None:
    import tensorflow as tf

    from spaces.model._losses import WeightedBinaryCrossentropy

    y = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]], dtype="float32")
    logits = np.array([[0.3, -1.2, 2.0], [1.5, 0.1, -0.7]], dtype="float32")
    pos_weight = np.array([27.0, 1.0, 3.0], dtype="float32")
    ours = WeightedBinaryCrossentropy(pos_weight=pos_weight)(y, logits)
    reference = tf.reduce_mean(tf.nn.weighted_cross_entropy_with_logits(y, logits, pos_weight))
    assert float(ours) == pytest.approx(float(reference), rel=1e-5)


def test_top_k_loss_averages_the_hardest_examples_only() -> None:
    from spaces.model._losses import SparseCrossentropy

    logits = np.array([[5.0, 0.0], [0.0, 5.0], [0.0, 0.0], [2.0, 0.0]], dtype="float32")
    y = np.array([0, 0, 0, 1])
    per_row = -np.log(np.exp(logits[np.arange(4), y]) / np.exp(logits).sum(axis=1))
    hardest_two = np.sort(per_row)[-2:].mean()
    assert float(SparseCrossentropy(top_k=2)(y, logits)) == pytest.approx(hardest_two, rel=1e-5)
