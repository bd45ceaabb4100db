"""The user's data, from the file to the labelled split a study is made of: reading the table,
label sets and targets, the texts of a file a batch at a time (for a model to label), the
stratified split, pre-trained word vectors, the checks that refuse
or warn before any trial, the baselines, the fingerprint that ties a study to its data, and
generated sample data. (Turning the texts into features is ``spaces.features``' job.)

May import ``search._errors``, ``search._paths``, ``search.options``, ``search.metrics`` and
``spaces``; never ``storage``, TensorFlow or Optuna. The baselines load scikit-learn on first
use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

from search.data._checks import check_data, joined_labels
from search.data._embeddings import load_embedding_matrix
from search.data._fingerprint import data_fingerprint, file_sha256, fingerprint
from search.data._labels import encode_labels, label_name, label_sets, parse_label_cell
from search.data._load import LabelledSplit, load_split
from search.data._read import READERS, read_table
from search.data._sample import sample_frame, write_sample
from search.data._split import HELD_FRAC, held_split, split_indices
from search.data._table import TextTable, detect_task, load_table
from search.data._text_stream import STDIN, clean_text, text_chunks

if TYPE_CHECKING:
    from search.data._baselines import majority_baseline

__getattr__ = lazy_loader.attach(__name__, submod_attrs={
    "_baselines": ["majority_baseline"],
})[0]

__all__ = [
    "HELD_FRAC",
    "READERS",
    "STDIN",
    "LabelledSplit",
    "TextTable",
    "check_data",
    "clean_text",
    "data_fingerprint",
    "detect_task",
    "encode_labels",
    "file_sha256",
    "fingerprint",
    "held_split",
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
    "text_chunks",
    "write_sample",
]
