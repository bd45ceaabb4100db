"""``wide_deep``: the sequence branch and the n-gram bag together: the bag's linear logits
added to the deep part's (wide and deep), or its ReLU layer concatenated with the pooled
sequence."""

from __future__ import annotations

from typing import Any

from spaces.families._bag import BAG_KEYS, bag_input, bag_setting, describe_bag, sample_bag
from spaces.families._base import Family, Pick, SampleContext
from spaces.families._code import Code, Dims, dense_head
from spaces.families._ngram import HIDDEN_KEYS, hidden_layer
from spaces.families._sequence import (
    SEQUENCE_KEYS,
    describe_sequence,
    sample_sequence,
    sequence_branch,
)
from spaces.features import BagSetting
from spaces.keys import Choice, Key


class WideDeep(Family):
    name = "wide_deep"
    summary = "the sequence branch and the n-gram bag together"
    keys = {**BAG_KEYS,
            "ngram_hidden": Key("choice", Choice((True, False)), allowed=(False, True),
                                help="the bag through a ReLU layer beside the sequence, or "
                                     "straight into the output (the 'wide' part)"),
            **HIDDEN_KEYS, **SEQUENCE_KEYS}
    reads = ("ngrams", "words")

    def sample(self, pick: Pick, params: dict[str, Any], context: SampleContext) -> None:
        sample_bag(pick, params)
        params["ngram_hidden"] = pick("ngram_hidden")
        if params["ngram_hidden"]:
            params["ngram_units"] = pick("ngram_units")
        params["ngram_l2"] = pick("ngram_l2")
        sample_sequence(pick, params, context)

    def bag(self, params: dict[str, Any]) -> BagSetting:
        return bag_setting(params)

    def network(self, code: Code, params: dict[str, Any], dims: Dims) -> None:
        bag_input(code, self.bag(params), dims)
        if params["ngram_hidden"]:
            hidden_layer(code, params, "hidden")
        else:
            penalty = f'keras.regularizers.L2({params["ngram_l2"]!r})'
            code("# The wide part: the bag straight into the output.")
            code(f'wide = layers.Dense({dims.n_outputs}, dtype="float32", '
                 f'kernel_regularizer={penalty}, name="wide")(ngrams)')
        sequence_branch(code, params, dims)
        if params["ngram_hidden"]:
            code("x = layers.Concatenate()([hidden, x])")
        dense_head(code, params, dims)
        if not params["ngram_hidden"]:
            code('logits = layers.Add(name="wide_and_deep")([wide, logits])')

    def describe(self, params: dict[str, Any]) -> str:
        bag = describe_bag(self.bag(params))
        wide = (f"n-gram MLP {params['ngram_units']} on {bag}" if params["ngram_hidden"]
                else f"linear on {bag}")
        return f"wide & deep: {describe_sequence(params)} + {wide}"
