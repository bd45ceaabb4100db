"""The answer trained again on every labelled row (training, choosing and held), with the
settings the search found: a solver's C, class weights and temperature; a network's epochs
(its best epoch, each now a pass over more rows). The expert refits the same way once C is
chosen; the model scored on validation stays the one the estimates describe."""

from __future__ import annotations

from typing import Any

import keras

from search.training._batches import dense_bag, train_batches
from search.training._devices import apply_policy
from search.training._dims import network_dims
from search.training._prepared import Prepared
from search.training._protocol import FitSettings
from search.training._solver import solve_bag
from spaces import family_of
from spaces.model import (
    build_network,
    compile_network,
    label_positive_weights,
    row_weights,
)


def refit_network(params: dict[str, Any], prepared: Prepared, settings: FitSettings, *,
                  epochs: int, logit_scale: float | None) -> Any:
    """The network of ``params`` fitted on every row of ``prepared``: ``epochs`` epochs of its
    optimizer, or its solver once (its logits times ``logit_scale``, as on validation)."""
    keras.utils.set_random_seed(settings.seed)
    apply_policy()
    task = settings.task.value
    dims = network_dims(prepared, params, settings.task, len(settings.classes))
    inputs, y = prepared.all_inputs(params)
    solver = family_of(params).solver
    dense = not solver and dense_bag(inputs, params["batch_size"])
    network = build_network(params, dims, embedding_matrix=prepared.data.embedding_matrix,
                            sparse=not dense)
    if solver:
        kernel, bias, _ = solve_bag(params, inputs.bag, y, settings, dims.n_outputs)
        scale = 1.0 if logit_scale is None else logit_scale
        network.get_layer("logits").set_weights([kernel * scale, bias * scale])
        return network
    compile_network(network, params, task=task,
                    pos_weight=label_positive_weights(task, y, params))
    train = train_batches(inputs, y, row_weights(task, y, params, len(settings.classes)),
                          params["batch_size"], settings.seed, dense)
    network.fit(train, epochs=max(epochs, 1), verbose=0, shuffle=False)
    return network
