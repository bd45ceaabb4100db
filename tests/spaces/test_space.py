from pathlib import Path

import optuna
import pytest

from spaces import (
    Choice,
    FloatRange,
    HeadMismatchError,
    SpaceError,
    Task,
    check_head,
    check_space_for_task,
    default_space,
    load_space,
    params_of,
    parse_space,
    read_yaml,
    suggest_params,
)


def test_default_space_samples_every_documented_dimension() -> None:
    space = default_space()
    seen: set[str] = set()
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(60):
        trial = study.ask()
        seen |= set(suggest_params(trial, space, Task.MULTICLASS))
        study.tell(trial, 0.0)
    for name in ("rnn_layers", "cell", "rnn_units", "bidirectional", "embedding_dim",
                 "embedding_dropout", "dropout", "conv", "pooling", "dense_layers",
                 "dense_units", "learning_rate", "batch_size", "class_weight",
                 "class_weight_power"):
        assert name in seen
    assert space.params["rnn_layers"].low == 0 and space.params["rnn_layers"].high == 4


def test_no_recurrent_layer_means_no_cell_and_no_last_state_pooling() -> None:
    space = parse_space({"params": {"rnn_layers": 0, "pooling": ["last", "max"]}})
    params = params_of({"family": "sequence", "rnn_layers": 0, "embedding_dim": 32,
                        "embedding_dropout": 0.1, "dropout": 0.1, "conv": False,
                        "pooling_seq": "max",
                        "dense_layers": 0, "learning_rate": 1e-3, "batch_size": 32,
                        "class_weight": "none", "loss": "crossentropy"}, space, Task.BINARY)
    assert "cell" not in params
    assert params["pooling"] == "max"


def test_unknown_key_names_it_and_lists_allowed(tmp_path: Path) -> None:
    path = tmp_path / "space.yaml"
    path.write_text("params:\n  lstm_units: {low: 8, high: 64}\n")
    with pytest.raises(SpaceError,
                       match=r"unknown key 'lstm_units'\. Allowed keys: family, ngram_order"):
        load_space(path)


def test_numbers_are_read_as_yaml_1_2_reads_them(tmp_path: Path) -> None:
    """PyYAML alone (YAML 1.1) reads 1e-4 as the text '1e-4'."""
    path = tmp_path / "space.yaml"
    path.write_text("params:\n  learning_rate: {low: 1e-4, high: 3E-1, log: true}\n"
                    "  dropout: [0, 5e-1]\n")
    space = load_space(path)
    assert space.params["learning_rate"] == FloatRange(1e-4, 0.3, log=True)
    assert space.params["dropout"] == Choice((0, 0.5))
    assert read_yaml("a: 1e-3\nb: '1e-3'\nc: 2e+2\nd: 12\ne: -.inf\nf: e5\ng: 1.5") == {
        "a": 0.001, "b": "1e-3", "c": 200.0, "d": 12, "e": float("-inf"), "f": "e5", "g": 1.5}


def test_empty_range_gives_the_rule_and_the_values() -> None:
    with pytest.raises(SpaceError, match=r"'rnn_units' is an empty range: `low <= high` must "
                                          r"hold, but got \(low=128, high=16\)"):
        parse_space({"params": {"rnn_units": {"low": 128, "high": 16}}})


def test_wrong_type_names_key_value_and_what_is_allowed() -> None:
    with pytest.raises(SpaceError, match=r"'rnn_layers' takes int bounds, but got 'two' \(str\)\."
                                          r" Allowed: 0 to 4"):
        parse_space({"params": {"rnn_layers": {"low": "two", "high": 3}}})
    with pytest.raises(SpaceError, match=r"'cell' got 'rnn', which is not allowed"):
        parse_space({"params": {"cell": ["lstm", "rnn"]}})
    with pytest.raises(SpaceError, match=r"must stay within 0 to 6, but got 0 to 9"):
        parse_space({"params": {"rnn_layers": {"low": 0, "high": 9}}})


def test_a_fixed_value_is_a_single_choice() -> None:
    space = parse_space({"params": {"cell": "gru", "bidirectional": True}})
    assert space.params["cell"].choices == ("gru",)
    assert space.params["bidirectional"].choices == (True,)


def test_seed_000_sigmoid_with_sparse_categorical_loss_is_refused() -> None:
    space = parse_space({"params": {"output_activation": "sigmoid",
                                    "loss": "sparse_categorical_crossentropy"}})
    with pytest.raises(HeadMismatchError) as info:
        check_space_for_task(space, Task.MULTICLASS)
    message = str(info.value)
    assert "output_activation='sigmoid' does not fit a multiclass task" in message
    assert "categorical cross-entropy assumes outputs that sum to 1" in message
    assert "--task multilabel" in message


@pytest.mark.parametrize(("task", "activation", "loss"), [
    (Task.MULTILABEL, "softmax", None),
    (Task.MULTILABEL, None, "sparse_categorical_crossentropy"),
    (Task.MULTICLASS, None, "binary_crossentropy"),
    (Task.BINARY, None, "mse"),
    (Task.MULTILABEL, None, "top_k"),
])
def test_heads_that_contradict_the_task_are_refused(task: Task, activation: str | None,
                                                    loss: str | None) -> None:
    with pytest.raises(HeadMismatchError, match="Rule:"):
        check_head(task, activation=activation, loss=loss)


def test_matching_heads_pass() -> None:
    check_head(Task.MULTILABEL, activation="sigmoid", loss="binary_crossentropy")
    check_head(Task.MULTICLASS, activation="softmax", loss="sparse_categorical_crossentropy")
    check_head(Task.BINARY, activation="sigmoid", loss="focal")


def test_starting_points_are_moved_into_the_space() -> None:
    from spaces import starting_points

    space = parse_space({"params": {"cell": "gru", "rnn_units": {"low": 8, "high": 32},
                                    "rnn_layers": {"low": 1, "high": 2},
                                    "ngram_vocab": {"low": 100, "high": 5000}}})
    named = starting_points(space, Task.MULTICLASS)
    names, points = [n for n, _ in named], [p for _, p in named]
    # The expert's grid first (C and class weights) with the TF-IDF + LR baseline second, then
    # the MLP.
    assert names == ["expert"] + ["TF-IDF + LR"] + ["expert"] * 5 + ["n-gram MLP"]
    assert [p["family"] for p in points] == ["linear"] * 7 + ["ngram"]
    assert [(p["solver"], p["linear_c"], p["class_weight"]) for p in points[:4]] == [
        ("svm", 1.0, "balanced"), ("logreg", 4.0, "none"), ("svm", 0.3, "balanced"),
        ("svm", 1.0, "none")]
    expert = [p for n, p in named if n == "expert"]
    assert all(p["chars"] and p["char_orders"] == "2-5" for p in expert)
    assert not points[1]["chars"] and points[1]["ngram_order"] == 2
    assert all(p["ngram_vocab"] == 5000 for p in points)  # 100,000 clipped into the space
    for point in points:  # each is a complete, valid trial of the space
        assert params_of(point, space, Task.MULTICLASS) == point

    # A point whose family the space leaves out is not queued.
    sequence_only = parse_space({"params": {"family": "sequence"}})
    assert starting_points(sequence_only, Task.MULTICLASS) == []
    no_linear = parse_space({"params": {"family": ["ngram", "wide_deep"]}})
    assert [n for n, _ in starting_points(no_linear, Task.MULTICLASS)] == ["n-gram MLP"]


@pytest.mark.parametrize("task", list(Task))
def test_every_sampled_configuration_can_be_written_out(task: Task) -> None:
    """Random draws from the whole space: each writes valid network code, a description and
    a leaderboard line, whatever the family (pure Python, no Keras)."""
    import optuna

    from spaces import REGISTRY, default_space, describe_params, suggest_params
    from spaces.families import Dims, network_code

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=3))
    families = set()
    for _ in range(150):
        trial = study.ask()
        params = suggest_params(trial, default_space(), task)
        families.add(params["family"])
        code = network_code(params, Dims(3, word_vocab=50, bag_width=20))
        compile(code, "<network>", "exec")
        assert describe_params(params) and "\n" not in describe_params(params)
        study.tell(trial, 1.0)
    assert families == set(REGISTRY)
