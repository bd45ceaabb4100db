"""The vectorized split: built once at ``create``, stored with the study, read once per worker."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import numpy as np

from search.data._vectorize import Vectorizer

CACHE_KEY = "vectorized-split"
_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed zip timestamps: the same split gives the same bytes


@dataclass(frozen=True)
class Ragged:
    """Rows of different lengths: row ``i`` is ``values[splits[i]:splits[i + 1]]``."""

    values: np.ndarray
    splits: np.ndarray

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.splits)

    @property
    def row_ids(self) -> np.ndarray:
        """The row of every value."""
        return np.repeat(np.arange(len(self.splits) - 1), self.lengths)

    def __len__(self) -> int:
        return len(self.splits) - 1

    def take(self, rows: np.ndarray) -> Ragged:
        """These rows, in this order."""
        index, splits = take_rows(self.splits, rows)
        return Ragged(self.values[index], splits)


def take_rows(splits: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(positions of the values of ``rows`` in order, the new row splits)."""
    lengths = np.diff(splits)[rows]
    new_splits = np.concatenate([[0], np.cumsum(lengths)]).astype("int64")
    shift = np.repeat(splits[:-1][rows] - new_splits[:-1], lengths)
    return np.arange(new_splits[-1]) + shift, new_splits


@dataclass(frozen=True)
class EncodedSplit:
    """One split as the study's vectorizer sees it.

    ``words``: word ids cut at ``max_len`` (1 = unknown). ``grams``: every 1- to 3-gram of
    the whole text as n-gram vocabulary ids + 2 (1 = unknown), unigrams first, then bigrams,
    then trigrams, as Keras' ``TextVectorization(ngrams=3)`` lists them. ``n_tokens``: words
    per text, which tells where the bigrams and trigrams of a row start.
    """

    words: Ragged
    grams: Ragged
    n_tokens: np.ndarray
    y: np.ndarray

    def gram_orders(self) -> np.ndarray:
        """The order (1, 2 or 3) of every value of ``grams``."""
        rows = self.grams.row_ids
        position = np.arange(len(self.grams.values)) - self.grams.splits[rows]
        n = self.n_tokens[rows]
        return np.where(position < n, 1, np.where(position < 2 * n - 1, 2, 3))


@dataclass(frozen=True)
class Prepared:
    """Both splits, the vectorizer that made them, and the pre-trained vectors if any."""

    vectorizer: Vectorizer
    train: EncodedSplit
    val: EncodedSplit
    embedding_matrix: np.ndarray | None = None
    # Which rows of the data file (after invalid rows were dropped) validate: the exported
    # script makes the same split from them.
    val_rows: np.ndarray | None = None

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, array in _arrays(self).items():
                member = io.BytesIO()
                np.lib.format.write_array(member, np.asarray(array),
                                          allow_pickle=False)
                archive.writestr(zipfile.ZipInfo(f"{name}.npy", _EPOCH), member.getvalue(),
                                 compress_type=zipfile.ZIP_DEFLATED)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Prepared:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            found = {k: arrays[k] for k in arrays.files}
        vectorizer = Vectorizer(
            words=_strings(found["words"]), ngrams=_strings(found["ngrams"]),
            ngram_df=found["ngram_df"], n_docs=int(found["n_docs"]),
            max_len=int(found["max_len"]))
        return cls(vectorizer, _split(found, "train"), _split(found, "val"),
                   found.get("embedding_matrix"), found.get("val_rows"))


def _arrays(prepared: Prepared) -> dict[str, np.ndarray]:
    vec = prepared.vectorizer
    out = {"words": _packed(vec.words), "ngrams": _packed(vec.ngrams),
           "ngram_df": vec.ngram_df, "n_docs": np.asarray(vec.n_docs),
           "max_len": np.asarray(vec.max_len)}
    for name, split in (("train", prepared.train), ("val", prepared.val)):
        out |= {f"{name}_word_ids": split.words.values, f"{name}_word_splits": split.words.splits,
                f"{name}_gram_ids": split.grams.values, f"{name}_gram_splits": split.grams.splits,
                f"{name}_n_tokens": split.n_tokens, f"{name}_y": split.y}
    for name in ("embedding_matrix", "val_rows"):
        if getattr(prepared, name) is not None:
            out[name] = getattr(prepared, name)
    return out


def _split(found: dict[str, np.ndarray], name: str) -> EncodedSplit:
    return EncodedSplit(
        words=Ragged(found[f"{name}_word_ids"], found[f"{name}_word_splits"]),
        grams=Ragged(found[f"{name}_gram_ids"], found[f"{name}_gram_splits"]),
        n_tokens=found[f"{name}_n_tokens"], y=found[f"{name}_y"])


def _packed(strings: list[str]) -> np.ndarray:
    """Tokens hold no whitespace, so newline-joined UTF-8 keeps them apart."""
    return np.frombuffer("\n".join(strings).encode("utf-8"), dtype="uint8")


def _strings(packed: np.ndarray) -> list[str]:
    text = packed.tobytes().decode("utf-8")
    return text.split("\n") if text else []
