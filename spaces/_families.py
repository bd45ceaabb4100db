"""Model families and what each reads (pure Python: the CLI and data code use it)."""

from __future__ import annotations

from typing import Any

FAMILIES = ("ngram", "fasttext", "sequence", "wide_deep")

# The inputs of a family's network: the n-gram bag, n-gram ids (averaged), word ids.
INPUTS: dict[str, tuple[str, ...]] = {
    "ngram": ("ngrams",),
    "fasttext": ("ngram_ids",),
    "sequence": ("words",),
    "wide_deep": ("ngrams", "words"),
}


def input_names(params: dict[str, Any]) -> tuple[str, ...]:
    """The inputs a network of these params reads."""
    return INPUTS[params["family"]]


def has_deep_part(params: dict[str, Any]) -> bool:
    """False only for the n-gram linear model (the bag straight into the output)."""
    return not (params["family"] == "ngram" and not params["ngram_hidden"])
