"""Reading, checking and preparing the user's data."""

from search.data._features import (
    Bags,
    NetworkInputs,
    NgramSetting,
    layer_vocabulary,
    network_inputs,
    ngram_bags,
    ngram_ids,
)
from search.data._prepared import CACHE_KEY, EncodedSplit, Prepared, Ragged
from search.data._vectorize import Vectorizer, fit_vectorizer

__all__ = ["CACHE_KEY", "Bags", "EncodedSplit", "NetworkInputs", "NgramSetting", "Prepared",
           "Ragged", "Vectorizer", "fit_vectorizer", "layer_vocabulary", "network_inputs",
           "ngram_bags", "ngram_ids"]
