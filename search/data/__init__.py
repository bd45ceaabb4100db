"""The user's data, from the file to the vectorized split a study stores: reading the table,
label sets and targets, the stratified split, the study's one vectorizer (vocabularies fitted
at create, each trial's inputs derived from the stored ids), pre-trained word vectors, the
checks that refuse or warn before any trial, the baselines, the fingerprint that ties a study
to its data, and generated sample data.

May import ``search._errors``, ``search.options``, ``search.metrics`` and ``spaces``; never
``storage``, TensorFlow or Optuna (tokenizing goes through ``search.training``, loaded when
``create`` vectorizes). ``_labels.py``, ``_split.py`` and ``_embeddings.py`` are copied into
exported scripts, so they import only numpy and pandas. The baselines load scikit-learn on
first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from search._lazy import lazy_names
from search.data._checks import check_data, joined_labels
from search.data._embeddings import load_embedding_matrix
from search.data._features import (
    Bags,
    NetworkInputs,
    NgramSetting,
    layer_vocabulary,
    network_dims,
    network_inputs,
    ngram_bags,
    ngram_ids,
)
from search.data._fingerprint import data_fingerprint, file_sha256, fingerprint
from search.data._labels import encode_labels, label_name, label_sets, parse_label_cell
from search.data._prepare import LabelledSplit, load_split
from search.data._prepared import CACHE_KEY, EncodedSplit, Prepared, Ragged
from search.data._read import read_table
from search.data._sample import sample_frame, write_sample
from search.data._split import split_indices
from search.data._table import TextTable, detect_task, load_table
from search.data._vectorize import Vectorizer, fit_vectorizer

if TYPE_CHECKING:
    from search.data._baselines import compute_baselines, majority_baseline, tfidf_baseline

__getattr__ = lazy_names(__name__, {
    "search.data._baselines": ("compute_baselines", "majority_baseline", "tfidf_baseline")})

__all__ = [
    "CACHE_KEY",
    "Bags",
    "EncodedSplit",
    "LabelledSplit",
    "NetworkInputs",
    "NgramSetting",
    "Prepared",
    "Ragged",
    "TextTable",
    "Vectorizer",
    "check_data",
    "compute_baselines",
    "data_fingerprint",
    "detect_task",
    "encode_labels",
    "file_sha256",
    "fingerprint",
    "fit_vectorizer",
    "joined_labels",
    "label_name",
    "label_sets",
    "layer_vocabulary",
    "load_embedding_matrix",
    "load_split",
    "load_table",
    "majority_baseline",
    "network_dims",
    "network_inputs",
    "ngram_bags",
    "ngram_ids",
    "parse_label_cell",
    "read_table",
    "sample_frame",
    "split_indices",
    "tfidf_baseline",
    "write_sample",
]
