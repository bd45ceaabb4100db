"""The study's data as ``create`` stores it: the split's texts and targets, the vocabularies
fitted on its training rows, and the pre-trained word vectors if any. Each worker encodes the
texts once (``encode``) with the very layers the exported model holds.

Stored as a zip of ``.npy`` arrays with fixed timestamps, so the same split always gives the
same bytes (and the same sha256 the study records).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

import numpy as np

from spaces.features._case import Variants
from spaces.features._vocabulary import Vocabulary

_EPOCH = (1980, 1, 1, 0, 0, 0)
_VARIANTS = ("word", "ngram", "char")  # the vocabularies with case variants


@dataclass(frozen=True)
class StudyData:
    """Both parts of the split and the vocabularies fitted on the training part.

    The validation rows are parted at ``create``: those the search chooses on (``val_texts``)
    and those held out of every choice (``held_texts``; none in studies made before).
    """

    vocabulary: Vocabulary
    train_texts: list[str]
    y_train: np.ndarray
    val_texts: list[str]
    y_val: np.ndarray
    embedding_matrix: np.ndarray | None = None
    held_texts: list[str] = field(default_factory=list)
    y_held: np.ndarray | None = None

    @property
    def n_rows(self) -> int:
        """Every labelled row: training, choosing and held."""
        return len(self.train_texts) + len(self.val_texts) + len(self.held_texts)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, array in _arrays(self).items():
                member = io.BytesIO()
                np.lib.format.write_array(member, np.asarray(array), allow_pickle=False)
                archive.writestr(zipfile.ZipInfo(f"{name}.npy", _EPOCH), member.getvalue(),
                                 compress_type=zipfile.ZIP_DEFLATED)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> StudyData:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            found = {k: arrays[k] for k in arrays.files}
        vocabulary = Vocabulary(
            words=_strings(found, "words"), ngrams=_strings(found, "ngrams"),
            ngram_df=found["ngram_df"], n_docs=int(found["n_docs"]),
            max_len=int(found["max_len"]), chars=_strings(found, "chars"),
            char_orders=found["char_orders"], char_df=found["char_df"],
            char_docs=int(found["char_docs"]),
            **{f"{kind}_variants": _variants(found, kind) for kind in _VARIANTS})
        held = "y_held" in found
        return cls(vocabulary, _strings(found, "train_texts"), found["y_train"],
                   _strings(found, "val_texts"), found["y_val"], found.get("embedding_matrix"),
                   _strings(found, "held_texts") if held else [],
                   found["y_held"] if held else None)


def _arrays(data: StudyData) -> dict[str, np.ndarray]:
    vocabulary = data.vocabulary
    out: dict[str, np.ndarray] = {
        "ngram_df": vocabulary.ngram_df, "n_docs": np.asarray(vocabulary.n_docs),
        "max_len": np.asarray(vocabulary.max_len), "char_orders": vocabulary.char_orders,
        "char_df": vocabulary.char_df, "char_docs": np.asarray(vocabulary.char_docs),
        "y_train": data.y_train, "y_val": data.y_val}
    if data.y_held is not None:
        out["y_held"] = data.y_held
        out["held_texts"], out["held_texts_ends"] = _packed(data.held_texts)
    for name, strings in (("words", vocabulary.words), ("ngrams", vocabulary.ngrams),
                          ("chars", vocabulary.chars), ("train_texts", data.train_texts),
                          ("val_texts", data.val_texts)):
        out[name], out[f"{name}_ends"] = _packed(strings)
    for kind in _VARIANTS:
        variants = getattr(vocabulary, f"{kind}_variants")
        if len(variants):
            out[f"{kind}_variants"], out[f"{kind}_variants_ends"] = _packed(variants.terms)
            out[f"{kind}_variant_of"] = variants.targets
    if data.embedding_matrix is not None:
        out["embedding_matrix"] = data.embedding_matrix
    return out


def _variants(found: dict[str, np.ndarray], kind: str) -> Variants:
    """A vocabulary's case variants; none when stored without (English text, older studies)."""
    if f"{kind}_variant_of" not in found:
        return Variants()
    return Variants(_strings(found, f"{kind}_variants"), found[f"{kind}_variant_of"])


def _packed(strings: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """UTF-8 bytes end to end, and where each string ends."""
    encoded = [s.encode("utf-8") for s in strings]
    ends = np.cumsum([len(b) for b in encoded], dtype="int64")
    return np.frombuffer(b"".join(encoded), dtype="uint8"), ends


def _strings(found: dict[str, np.ndarray], name: str) -> list[str]:
    data, ends = found[name].tobytes(), found[f"{name}_ends"].tolist()
    starts = [0, *ends[:-1]] if ends else []
    return [data[a:b].decode("utf-8") for a, b in zip(starts, ends, strict=True)]


def stratified_order(y: np.ndarray, seed: int) -> np.ndarray:
    """An order of the rows whose every prefix holds each class in its share (single-label
    ``y``); multi-label rows in a plain shuffled order."""
    rng = np.random.default_rng(seed)
    y = np.asarray(y)
    if y.ndim > 1:
        return rng.permutation(len(y))
    place = np.empty(len(y))
    for label in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == label))
        place[rows] = (np.arange(len(rows)) + rng.random()) / len(rows)
    return np.argsort(place, kind="stable")
