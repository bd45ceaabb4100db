"""The vectorized split: built once at ``create``, stored with the study, read once per worker."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

CACHE_KEY = "vectorized-split"


@dataclass
class Prepared:
    """Token ids (ragged: flat values + row splits) and targets of both splits."""

    train_ids: np.ndarray
    train_splits: np.ndarray
    val_ids: np.ndarray
    val_splits: np.ndarray
    y_train: np.ndarray
    y_val: np.ndarray
    vocabulary: np.ndarray
    embedding_matrix: np.ndarray | None = None

    @property
    def vocab_size(self) -> int:
        return len(self.vocabulary) + 2

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        arrays = {k: v for k, v in vars(self).items() if v is not None}
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Prepared:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            values = {k: arrays[k] for k in arrays.files}
        return cls(**values)
