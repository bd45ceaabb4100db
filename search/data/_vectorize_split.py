"""The vectorize step of ``create``: fit the study's vectorizer on the training split, and
store both splits as it sees them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from search.data._embeddings import load_embedding_matrix
from search.data._prepared import Prepared
from search.data._vectorize import choose_max_len, fit_vectorizer, length_percentiles

log = logging.getLogger("hpsearch")


@dataclass(frozen=True)
class Vectorized:
    prepared: Prepared
    lengths: dict[str, int]  # percentiles of training token counts
    embeddings: dict[str, Any] | None  # path, dim and coverage of pre-trained vectors


def vectorize_split(texts: Sequence[str], y: np.ndarray, train: np.ndarray, val: np.ndarray,
                    *, max_tokens: int, max_len: int | None,
                    embeddings: str | Path | None = None, seed: int = 0) -> Vectorized:
    """Tokenize with Keras' standardization (TensorFlow starts here), fit the vocabularies
    on the training rows only, and encode both splits."""
    from search.training._text import encode, tokenize

    train_texts = [texts[i] for i in train]
    train_tokens = tokenize(train_texts)
    lengths = length_percentiles(train_tokens)
    vectorizer = fit_vectorizer(train_tokens, max_tokens=max_tokens,
                                max_len=max_len or choose_max_len(lengths))
    matrix, info = None, None
    if embeddings is not None:
        matrix, coverage = load_embedding_matrix(embeddings, vectorizer.words, seed)
        info = {"path": str(embeddings), "dim": int(matrix.shape[1]),
                "coverage": round(coverage, 4)}
        log.info("embeddings: %d dimensions, %.0f%% of the vocabulary found",
                 info["dim"], 100 * coverage)
    prepared = Prepared(vectorizer, encode(train_texts, y[train], vectorizer),
                        encode([texts[i] for i in val], y[val], vectorizer), matrix)
    return Vectorized(prepared, lengths, info)
