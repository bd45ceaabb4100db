"""Turn a trial into concrete model parameters: the family first, then what it samples, then
the keys it shares with the others, sampling only the dimensions that apply."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from spaces._task import Task, canonical_loss
from spaces.families import REGISTRY, Pick, SampleContext
from spaces.space._space import Space

if TYPE_CHECKING:
    import optuna


def suggest_params(
    trial: optuna.trial.BaseTrial, space: Space, task: Task,
    *, pretrained_embeddings: bool = False,
) -> dict[str, Any]:
    """Sample one configuration. Conditional keys (the cell when there is no recurrent layer,
    the n-gram keys of a sequence model...) are neither sampled nor returned."""

    def pick(name: str) -> Any:
        return space.params[name].suggest(trial, name)

    def pick_as(key: str, name: str, choices: tuple[Any, ...]) -> Any:
        allowed = [c for c in space.params[key].choices if c in choices]  # type: ignore[union-attr]
        return trial.suggest_categorical(name, allowed) if allowed else choices[-1]

    params: dict[str, Any] = {"family": pick("family")}
    family = REGISTRY[params["family"]]
    family.sample(pick, params, SampleContext(pretrained_embeddings, pick_as))
    if family.has_head(params):
        params["dropout"] = pick("dropout")
        params["dense_layers"] = pick("dense_layers")
        if params["dense_layers"] > 0:
            params["dense_units"] = pick("dense_units")
    if not family.solver:
        params["learning_rate"] = pick("learning_rate")
        params["batch_size"] = pick("batch_size")
    _sample_weights_and_loss(pick, params, task, keras_loss=not family.solver)
    return params


def _sample_weights_and_loss(pick: Pick, params: dict[str, Any], task: Task,
                             keras_loss: bool) -> None:
    params["class_weight"] = pick("class_weight")
    if params["class_weight"] == "softened":
        params["class_weight_power"] = pick("class_weight_power")
    if not keras_loss:
        return
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
