"""Model families, one file each, and the registry that lists them.

A family (``Family``) holds its space keys, how it samples them, which inputs it reads, its
network as Keras code, its one-line description and its starting points. Adding one is one new
file and one line in ``REGISTRY``; ``tests/spaces/test_families.py`` runs every check over the
registry. No Keras: the code a family writes is run by ``spaces.model`` (the linear family's
solver imports scikit-learn when it runs).
"""

from __future__ import annotations

from typing import Any

from spaces.families._base import Family, Pick, SampleContext, SolveScript, StartingPoint
from spaces.families._code import HELPERS, Dims, helpers_called
from spaces.families._code import Code as _Code
from spaces.families._fasttext import FastText
from spaces.families._linear import BASELINE, EXPERT, Linear, solve
from spaces.families._ngram import Ngram
from spaces.families._sequence import Sequence
from spaces.families._wide_deep import WideDeep
from spaces.features import BagSetting
from spaces.keys import Key

REGISTRY: dict[str, Family] = {
    family.name: family for family in (Linear(), Ngram(), FastText(), Sequence(), WideDeep())
}


def family_of(params: dict[str, Any]) -> Family:
    """The family ``params`` belong to."""
    return REGISTRY[params["family"]]


def family_keys() -> dict[str, Key]:
    """Every key some family samples, each once, in the registry's order. Two families that
    share a key share its definition (refused otherwise: the space would be ambiguous)."""
    keys: dict[str, Key] = {}
    for family in REGISTRY.values():
        for name, key in family.keys.items():
            if keys.setdefault(name, key) != key:
                raise TypeError(f"space key {name!r} is defined twice, differently (family "
                                f"{family.name!r}); share one definition.")
    return keys


def network_code(params: dict[str, Any], dims: Dims) -> str:
    """``def build_network(sparse=True, embedding_matrix=None)``: the family's inputs in (the
    n-gram bag as a sparse tensor unless ``sparse`` is False), one logit per output out. The
    text a trial runs to build its network, and the exported script prints."""
    family = family_of(params)
    code = _Code()
    code.docstring(describe_params(params))
    family.network(code, params, dims)
    inputs = ", ".join(f'"{name}": {name}' for name in family.reads)
    code(f'return keras.Model({{{inputs}}}, logits, name="network")')
    return "def build_network(sparse=True, embedding_matrix=None):\n" + code.text()


def bag_of(params: dict[str, Any]) -> BagSetting | None:
    """The n-gram bag a network of ``params`` reads, if any."""
    return family_of(params).bag(params)


def describe_params(params: dict[str, Any]) -> str:
    """A configuration in one line: the family's words, then how it trains."""
    parts = [family_of(params).describe(params)]
    if params.get("dense_layers"):
        parts.append(f"dense {params['dense_layers']}×{params['dense_units']}")
    if "dropout" in params:
        parts.append(f"drop {params['dropout']:.2f}")
    if "learning_rate" in params:
        parts.append(f"lr {params['learning_rate']:.1e} bs {params['batch_size']}")
    weight = params.get("class_weight", "none")
    if weight == "softened":
        weight += f"^{params.get('class_weight_power', 0.5):.2f}"
    parts.append(f"cw {weight}")
    if params.get("loss", "crossentropy") != "crossentropy":
        parts.append(params["loss"])
    return " | ".join(parts)


__all__ = ["BASELINE", "EXPERT", "HELPERS", "REGISTRY", "Dims", "Family", "Pick", "SampleContext",
           "SolveScript", "StartingPoint", "bag_of", "describe_params", "family_keys", "family_of",
           "helpers_called", "network_code", "solve"]
