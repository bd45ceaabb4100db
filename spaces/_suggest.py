"""Turn a trial into concrete model parameters, sampling only the dimensions that apply."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from spaces._space import Space
from spaces._task import Task, canonical_loss

if TYPE_CHECKING:
    import optuna


def suggest_params(
    trial: optuna.trial.BaseTrial, space: Space, task: Task,
    *, pretrained_embeddings: bool = False,
) -> dict[str, Any]:
    """Sample one configuration. Conditional keys (cell when there is no recurrent layer, the
    power of a scheme that is not 'softened'...) are neither sampled nor returned."""
    p = space.params

    def pick(name: str, as_name: str | None = None) -> Any:
        return p[name].suggest(trial, as_name or name)

    params: dict[str, Any] = {"rnn_layers": pick("rnn_layers")}
    if params["rnn_layers"] > 0:
        params["cell"] = pick("cell")
        params["rnn_units"] = pick("rnn_units")
        params["bidirectional"] = pick("bidirectional")
    if pretrained_embeddings:
        params["embedding_trainable"] = pick("embedding_trainable")
    else:
        params["embedding_dim"] = pick("embedding_dim")
    params["embedding_dropout"] = pick("embedding_dropout")
    params["dropout"] = pick("dropout")
    params["conv"] = pick("conv")
    if params["conv"]:
        params["conv_filters"] = pick("conv_filters")
        params["conv_kernel"] = pick("conv_kernel")
    if params["rnn_layers"] > 0 and not params["conv"]:
        params["pooling"] = pick("pooling")
    else:
        sequence_only = tuple(c for c in p["pooling"].choices if c != "last")  # type: ignore[union-attr]
        params["pooling"] = (
            trial.suggest_categorical("pooling_seq", list(sequence_only))
            if sequence_only else "max_avg"
        )
    params["dense_layers"] = pick("dense_layers")
    if params["dense_layers"] > 0:
        params["dense_units"] = pick("dense_units")
    params["learning_rate"] = pick("learning_rate")
    params["batch_size"] = pick("batch_size")
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
    return params


def params_of(trial_params: dict[str, Any], space: Space, task: Task,
              *, pretrained_embeddings: bool = False) -> dict[str, Any]:
    """The model parameters a finished trial (or a user's enqueued config) stands for."""
    from optuna.trial import FixedTrial  # here: importing spaces must not load Optuna

    return suggest_params(FixedTrial(trial_params), space, task,
                          pretrained_embeddings=pretrained_embeddings)
