"""Pre-trained word vectors (GloVe or word2vec text format) for the study's vocabulary."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from search._errors import DataError


def load_embedding_matrix(path: str | Path, vocabulary: list[str],
                          seed: int = 0) -> tuple[np.ndarray, float]:
    """A (vocab + 2, dim) matrix: row 0 padding (zeros), row 1 unknown, then the vocabulary.
    Words without a vector get small random ones. Returns the matrix and the share of the
    vocabulary found in the file."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"Embeddings file {str(path)!r} does not exist.")
    index = {tok: i + 2 for i, tok in enumerate(vocabulary)}
    found: dict[int, np.ndarray] = {}
    dim = None
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            parts = line.rstrip().split(" ")
            if number == 1 and len(parts) == 2 and all(p.isdigit() for p in parts):
                continue  # word2vec header: "<count> <dim>"
            if len(parts) < 2:
                continue
            if dim is None:
                dim = len(parts) - 1
            elif len(parts) - 1 != dim:
                raise DataError(
                    f"{str(path)!r} line {number} has {len(parts) - 1} numbers, but earlier "
                    f"lines have {dim}. Expected GloVe/word2vec text: a word, then {dim} numbers."
                )
            row = index.get(parts[0].lower())
            if row is not None and row not in found:
                try:
                    found[row] = np.asarray(parts[1:], dtype="float32")
                except ValueError:
                    raise DataError(
                        f"{str(path)!r} line {number} is not a word followed by numbers."
                    ) from None
    if dim is None:
        raise DataError(f"{str(path)!r} holds no word vectors.")
    rng = np.random.default_rng(seed)
    matrix = rng.normal(0.0, 0.05, size=(len(vocabulary) + 2, dim)).astype("float32")
    matrix[0] = 0.0
    for row, vector in found.items():
        matrix[row] = vector
    return matrix, len(found) / max(len(vocabulary), 1)
