"""Turn a trial into concrete model parameters, sampling only the dimensions that apply."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from spaces._families import has_deep_part
from spaces._space import Space
from spaces._task import Task, canonical_loss

if TYPE_CHECKING:
    import optuna

Pick = Callable[..., Any]


def suggest_params(
    trial: optuna.trial.BaseTrial, space: Space, task: Task,
    *, pretrained_embeddings: bool = False,
) -> dict[str, Any]:
    """Sample one configuration. Conditional keys (the cell when there is no recurrent layer,
    the n-gram keys of a sequence model...) are neither sampled nor returned."""
    p = space.params

    def pick(name: str, as_name: str | None = None) -> Any:
        return p[name].suggest(trial, as_name or name)

    params: dict[str, Any] = {"family": pick("family")}
    family = params["family"]
    if family in ("ngram", "fasttext", "wide_deep"):
        params["ngram_order"] = pick("ngram_order")
        params["ngram_vocab"] = pick("ngram_vocab")
    if family in ("ngram", "wide_deep"):
        _suggest_bag(pick, params)
    if family == "fasttext":
        params["embedding_dim"] = pick("embedding_dim")
    if family in ("sequence", "wide_deep"):
        _suggest_sequence(pick, trial, space, params, pretrained_embeddings)
    if has_deep_part(params):
        params["dropout"] = pick("dropout")
        params["dense_layers"] = pick("dense_layers")
        if params["dense_layers"] > 0:
            params["dense_units"] = pick("dense_units")
    params["learning_rate"] = pick("learning_rate")
    params["batch_size"] = pick("batch_size")
    _suggest_loss(pick, params, task)
    return params


def _suggest_bag(pick: Pick, params: dict[str, Any]) -> None:
    params["ngram_weighting"] = pick("ngram_weighting")
    params["ngram_hidden"] = pick("ngram_hidden")
    if params["ngram_hidden"]:
        params["ngram_units"] = pick("ngram_units")
    params["ngram_l2"] = pick("ngram_l2")


def _suggest_sequence(pick: Pick, trial: optuna.trial.BaseTrial, space: Space,
                      params: dict[str, Any], pretrained_embeddings: bool) -> None:
    params["rnn_layers"] = pick("rnn_layers")
    if params["rnn_layers"] > 0:
        params["cell"] = pick("cell")
        params["rnn_units"] = pick("rnn_units")
        params["bidirectional"] = pick("bidirectional")
    if pretrained_embeddings:
        params["embedding_trainable"] = pick("embedding_trainable")
    else:
        params["embedding_dim"] = pick("embedding_dim")
    params["embedding_dropout"] = pick("embedding_dropout")
    params["conv"] = pick("conv")
    if params["conv"]:
        params["conv_filters"] = pick("conv_filters")
        params["conv_kernel"] = pick("conv_kernel")
    if params["rnn_layers"] > 0 and not params["conv"]:
        params["pooling"] = pick("pooling")
    else:
        choices = space.params["pooling"].choices  # type: ignore[union-attr]
        sequence_only = tuple(c for c in choices if c != "last")
        params["pooling"] = (
            trial.suggest_categorical("pooling_seq", list(sequence_only))
            if sequence_only else "max_avg"
        )


def _suggest_loss(pick: Pick, params: dict[str, Any], task: Task) -> None:
    params["class_weight"] = pick("class_weight")
    if params["class_weight"] == "softened":
        params["class_weight_power"] = pick("class_weight_power")
    params["loss"] = canonical_loss(pick("loss"))
    if params["loss"] == "focal":
        params["focal_gamma"] = pick("focal_gamma")
    if params["loss"] == "top_k":
        params["top_k"] = pick("top_k")
    if task is Task.MULTILABEL and params["loss"] == "top_k":
        raise ValueError("top_k loss is for single-label tasks")


def params_of(trial_params: dict[str, Any], space: Space, task: Task,
              *, pretrained_embeddings: bool = False) -> dict[str, Any]:
    """The model parameters a finished trial (or a user's enqueued config) stands for."""
    from optuna.trial import FixedTrial  # here: importing spaces must not load Optuna

    return suggest_params(FixedTrial(trial_params), space, task,
                          pretrained_embeddings=pretrained_embeddings)
