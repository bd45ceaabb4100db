"""The user's data, from the file to the vectorized split a study stores: reading the table,
label sets and targets, the stratified split, the vocabulary and token ids, pre-trained word
vectors, the checks that refuse or warn before any trial, the baselines, the fingerprint that
ties a study to its data, and generated sample data.

May import ``search._errors``, ``search.options``, ``search.metrics`` and ``spaces``; never
``storage``, TensorFlow or Optuna. ``_labels.py``, ``_split.py`` and ``_embeddings.py`` are
copied into exported scripts, so they import only numpy and pandas. The baselines load
scikit-learn on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from search._lazy import lazy_names
from search.data._checks import check_data, joined_labels
from search.data._embeddings import load_embedding_matrix
from search.data._fingerprint import data_fingerprint, fingerprint
from search.data._labels import encode_labels, label_name, label_sets, parse_label_cell
from search.data._prepare import LabelledSplit, Vectorized, load_split, vectorize_split
from search.data._prepared import CACHE_KEY, Prepared
from search.data._read import read_table
from search.data._sample import sample_frame, write_sample
from search.data._split import split_indices
from search.data._table import TextTable, detect_task, load_table

if TYPE_CHECKING:
    from search.data._baselines import compute_baselines, majority_baseline, tfidf_baseline

__getattr__ = lazy_names(__name__, {
    "search.data._baselines": ("compute_baselines", "majority_baseline", "tfidf_baseline")})

__all__ = [
    "CACHE_KEY",
    "LabelledSplit",
    "Prepared",
    "TextTable",
    "Vectorized",
    "check_data",
    "compute_baselines",
    "data_fingerprint",
    "detect_task",
    "encode_labels",
    "fingerprint",
    "joined_labels",
    "label_name",
    "label_sets",
    "load_embedding_matrix",
    "load_split",
    "load_table",
    "majority_baseline",
    "parse_label_cell",
    "read_table",
    "sample_frame",
    "split_indices",
    "tfidf_baseline",
    "vectorize_split",
    "write_sample",
]
