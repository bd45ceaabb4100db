"""The vectorize step of ``create``: fit the study's one vectorizer on the training rows and
store both parts of the split as it sees them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from search._errors import DataError
from search.data import LabelledSplit, Prepared, fit_vectorizer, load_embedding_matrix
from search.data._vectorize import choose_max_len, length_percentiles
from search.options import DataOptions

log = logging.getLogger("hpsearch")


@dataclass
class Vectorized:
    """The stored split, and what vectorizing found on the way."""

    prepared: Prepared
    lengths: dict[str, int]  # token-length percentiles of the training texts
    max_len: int
    embeddings: dict[str, Any] | None  # path, dimension and vocabulary coverage


def vectorize_split(split: LabelledSplit, options: DataOptions) -> Vectorized:
    """Tokenize with Keras' standardization (TensorFlow starts here), fit the vocabularies
    on the training rows only, and encode both parts: word ids cut at ``--max-len``
    (default: the 95th percentile of training lengths) and every n-gram's id."""
    from search.training import encode_texts, tokenize

    train_texts = [split.texts[i] for i in split.train]
    train_tokens = tokenize(train_texts)
    lengths = length_percentiles(train_tokens)
    max_len = options.max_len or choose_max_len(lengths)
    vectorizer = fit_vectorizer(train_tokens, max_tokens=options.max_tokens, max_len=max_len)
    if not vectorizer.words:
        raise DataError("No training text holds a word (letters or digits) once lower-cased "
                        "and stripped of punctuation, so there is nothing to learn from. Check "
                        "--text-col.")
    matrix, embeddings = None, None
    if options.embeddings is not None:
        matrix, coverage = load_embedding_matrix(options.embeddings, vectorizer.words,
                                                 options.seed)
        embeddings = {"path": str(options.embeddings), "dim": int(matrix.shape[1]),
                      "coverage": round(coverage, 4)}
        log.info("embeddings: %d dimensions, %.0f%% of the vocabulary found",
                 embeddings["dim"], 100 * coverage)
    prepared = Prepared(
        vectorizer, encode_texts(train_texts, split.y[split.train], vectorizer),
        encode_texts([split.texts[i] for i in split.val], split.y[split.val], vectorizer),
        matrix, None if options.val_data is not None else split.val)
    return Vectorized(prepared, lengths, max_len, embeddings)
