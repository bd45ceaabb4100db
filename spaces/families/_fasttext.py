"""``fasttext``: fastText's architecture. Every word n-gram of the text is embedded and the
embeddings averaged: a bag of counts summing to 1 times an embedding matrix is that average, so
the network reads the bag. With characters (fastText's subwords) the character part sums to 1
on its own: the text's vector is then the average of its word n-grams' embeddings plus the
average of its character n-grams'."""

from __future__ import annotations

from typing import Any

from spaces.families._bag import BAG_KEYS, bag_input, bag_setting, describe_bag, sample_bag
from spaces.families._base import Family, Pick, SampleContext
from spaces.families._code import Code, Dims, dense_head
from spaces.families._sequence import SEQUENCE_KEYS
from spaces.features import BagSetting


class FastText(Family):
    name = "fasttext"
    summary = ("fastText: word n-grams (and character n-grams, its subwords) embedded and "
               "averaged")
    keys = {**{k: v for k, v in BAG_KEYS.items() if k != "ngram_weighting"},
            "embedding_dim": SEQUENCE_KEYS["embedding_dim"]}
    reads = ("ngrams",)

    def sample(self, pick: Pick, params: dict[str, Any], context: SampleContext) -> None:
        sample_bag(pick, params, weighting=False)
        params["embedding_dim"] = pick("embedding_dim")

    def bag(self, params: dict[str, Any]) -> BagSetting:
        return bag_setting(params, weighting="count", norm="l1")

    def network(self, code: Code, params: dict[str, Any], dims: Dims) -> None:
        bag_input(code, self.bag(params), dims)
        code("# Counts summing to 1 times the embeddings: the mean of the n-grams' embeddings.")
        code(f'x = layers.Dense({params["embedding_dim"]}, use_bias=False, dtype="float32", '
             'name="ngram_embedding")(ngrams)')
        code(f'x = layers.Dropout({params["dropout"]!r})(x)')
        dense_head(code, params, dims)

    def describe(self, params: dict[str, Any]) -> str:
        return f"fastText {params['embedding_dim']}-d on " + describe_bag(self.bag(params))
